import 'reflect-metadata';
import { bootstrapService } from '@vigil/common';
import { OrchestratorModule } from './app.module';
import { loadOrchestratorConfig } from './orchestrator.config';

void bootstrapService(OrchestratorModule, 'orchestrator', () => loadOrchestratorConfig().httpPort);
