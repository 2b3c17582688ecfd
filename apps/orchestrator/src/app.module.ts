import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { HealthRegistry, OpsModule } from '@vigil/common';
import { createClickHouse, migrate } from '@vigil/storage';
import { CLICKHOUSE, LifecycleRepository } from './lifecycle.repository';
import { LifecycleService } from './lifecycle.service';
import { LifecycleStream } from './lifecycle.stream';
import { ModelsController } from './models.controller';
import { WebhookDispatcher } from './webhook.dispatcher';
import { LifecycleAlertmanager } from './lifecycle.alertmanager';
import { OrchestratorMetrics } from './orchestrator.metrics';
import { loadOrchestratorConfig, ORCHESTRATOR_CONFIG, OrchestratorConfig, orchestratorEnvValidation } from './orchestrator.config';

@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true, validationSchema: orchestratorEnvValidation }), OpsModule],
  controllers: [ModelsController],
  providers: [
    { provide: ORCHESTRATOR_CONFIG, useFactory: () => loadOrchestratorConfig() },
    {
      provide: CLICKHOUSE,
      inject: [ORCHESTRATOR_CONFIG],
      // Tables first: the lifecycle service reloads its state from them on init.
      useFactory: async (config: OrchestratorConfig) => {
        await migrate(config.clickhouse);
        return createClickHouse(config.clickhouse);
      },
    },
    LifecycleRepository,
    OrchestratorMetrics,
    LifecycleService,
    WebhookDispatcher,
    LifecycleStream,
    LifecycleAlertmanager,
  ],
})
export class OrchestratorModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient,
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

  async onApplicationShutdown(): Promise<void> {
    await this.clickhouse.close();
  }
}
