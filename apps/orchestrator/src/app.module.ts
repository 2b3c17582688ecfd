import { Module, OnModuleInit } from '@nestjs/common';
import { HealthRegistry, OpsModule } from '@vigil/common';
import { topicMap } from '@vigil/contracts';
import { KAFKA, KafkaBatchTransport, MessagingModule } from '@vigil/messaging';
import { StorageModule } from '@vigil/storage';
import { Kafka } from 'kafkajs';
import { ActiveInstanceGuard } from './active-instance.guard';
import { LifecycleEventsController } from './lifecycle-events.controller';
import { LIFECYCLE_FAULTS, NO_FAULTS } from './lifecycle.faults';
import { LifecycleRepository } from './lifecycle.repository';
import { LifecycleService } from './lifecycle.service';
import { LifecycleStream } from './lifecycle.stream';
import { ModelsController } from './models.controller';
import { ModelsService } from './models.service';
import { WebhookDispatcher } from './webhook.dispatcher';
import { LifecycleAlertmanager } from './lifecycle.alertmanager';
import { OrchestratorLease } from './orchestrator.lease';
import { OrchestratorMetrics } from './orchestrator.metrics';
import { loadOrchestratorConfig, ORCHESTRATOR_CONFIG, OrchestratorConfig } from './orchestrator.config';

/**
 * The orchestrator's consumer group: committed records only (requests commit with offsets),
 * heartbeats at a tenth of the session, several partitions at once (each partition's batches
 * stay in order, and a model's records all go to one partition of each topic).
 */
function lifecycleTransport(kafka: Kafka, config: OrchestratorConfig): KafkaBatchTransport {
  return new KafkaBatchTransport(kafka, {
    groupId: config.groupId,
    streams: ['alerts', 'metricSnapshots', 'modelDeployed', 'retrainCompleted'],
    topics: topicMap(config.topicPrefix),
    consumer: { readUncommitted: false, sessionTimeout: config.sessionTimeoutMs, heartbeatInterval: Math.floor(config.sessionTimeoutMs / 10) },
    partitionsConcurrency: config.partitionsConcurrency,
  });
}

@Module({
  imports: [
    OpsModule,
    MessagingModule.forRoot(),
    // Its migrations run before the lifecycle service reloads its state from the tables (imported modules initialise first).
    StorageModule.forRoot(),
  ],
  controllers: [ModelsController, LifecycleEventsController],
  providers: [
    { provide: ORCHESTRATOR_CONFIG, useFactory: () => loadOrchestratorConfig() },
    { provide: KafkaBatchTransport, inject: [KAFKA, ORCHESTRATOR_CONFIG], useFactory: lifecycleTransport },
    { provide: LIFECYCLE_FAULTS, useValue: NO_FAULTS },
    LifecycleRepository,
    OrchestratorMetrics,
    OrchestratorLease,
    LifecycleService,
    WebhookDispatcher,
    LifecycleStream,
    ModelsService,
    LifecycleAlertmanager,
    ActiveInstanceGuard,
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
