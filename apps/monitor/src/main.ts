import 'reflect-metadata';
import { bootstrapService } from '@vigil/common';
import { startBatchTransport } from '@vigil/messaging';
import { MonitorModule } from './app.module';
import { loadMonitorConfig } from './monitor.config';

void bootstrapService(MonitorModule, 'monitor', () => loadMonitorConfig().httpPort, { start: startBatchTransport });
