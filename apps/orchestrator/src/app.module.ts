import { Module, OnModuleInit } from '@nestjs/common';
import { HealthRegistry, OpsModule } from '@vigil/common';
import { MessagingModule } from '@vigil/messaging';
import { StorageModule } from '@vigil/storage';
import { LifecycleRepository } from './lifecycle.repository';
import { LifecycleService } from './lifecycle.service';
import { LifecycleStream } from './lifecycle.stream';
import { ModelsController } from './models.controller';
import { WebhookDispatcher } from './webhook.dispatcher';
import { LifecycleAlertmanager } from './lifecycle.alertmanager';
import { OrchestratorMetrics } from './orchestrator.metrics';
import { loadOrchestratorConfig, ORCHESTRATOR_CONFIG } from './orchestrator.config';

@Module({
  imports: [
    OpsModule,
    MessagingModule.forRoot(),
    // Its migrations run before the lifecycle service reloads its state from the tables (imported modules initialise first).
    StorageModule.forRoot(),
  ],
  controllers: [ModelsController],
  providers: [
    { provide: ORCHESTRATOR_CONFIG, useFactory: () => loadOrchestratorConfig() },
    LifecycleRepository,
    OrchestratorMetrics,
    LifecycleService,
    WebhookDispatcher,
    LifecycleStream,
    LifecycleAlertmanager,
  ],
})
export class OrchestratorModule implements OnModuleInit {
  constructor(
    private readonly repository: LifecycleRepository,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register('clickhouse', async () => {
      try {
        return { status: (await this.repository.ping()) ? 'up' : 'down' };
      } catch (error) {
        return { status: 'down', error: (error as Error).message };
      }
    });
  }
}
