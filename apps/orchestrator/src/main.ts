import 'reflect-metadata';
import { bootstrapService } from '@vigil/common';
import { OrchestratorModule } from './app.module';
import { loadOrchestratorConfig } from './orchestrator.config';
import { startOrchestrator } from './orchestrator.start';

void bootstrapService(OrchestratorModule, 'orchestrator', () => loadOrchestratorConfig().httpPort, { start: startOrchestrator });
