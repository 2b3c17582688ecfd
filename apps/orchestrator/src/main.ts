import 'reflect-metadata';
import { bootstrapService } from '@vigil/common';
import { startBatchTransport } from '@vigil/messaging';
import { OrchestratorModule } from './app.module';
import { loadOrchestratorConfig } from './orchestrator.config';

void bootstrapService(OrchestratorModule, 'orchestrator', () => loadOrchestratorConfig().httpPort, { start: startBatchTransport });
