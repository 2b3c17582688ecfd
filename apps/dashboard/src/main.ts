import 'reflect-metadata';
import { bootstrapService } from '@vigil/common';
import { DashboardModule } from './app.module';
import { loadDashboardConfig } from './dashboard.config';

void bootstrapService(DashboardModule, 'dashboard', () => loadDashboardConfig().httpPort);
