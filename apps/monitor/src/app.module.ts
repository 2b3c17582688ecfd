import { ClickHouseClient } from '@clickhouse/client';
import { Module } from '@nestjs/common';
import { OpsModule } from '@vigil/common';
import { topicMap } from '@vigil/contracts';
import { KAFKA, KafkaBatchTransport, MessagingModule } from '@vigil/messaging';
import { CLICKHOUSE, StorageModule } from '@vigil/storage';
import { Kafka } from 'kafkajs';
import { CoPartitionAssigner } from './kafka/co-partition-assigner';
import { ModelsController } from './models.controller';
import { MonitorEventsController } from './monitor-events.controller';
import { loadMonitorConfig, MONITOR_CONFIG, MonitorConfig } from './monitor.config';
import { MonitorMetrics } from './monitor.metrics';
import { MONITOR_REPOSITORY, MonitorRepository } from './monitor.repository';
import { ModelOperations } from './model-operations';
import { ModelSeriesMetrics } from './model-series.metrics';
import { MonitorService } from './monitor.service';
import { ModelsService } from './models.service';
import { OwnedModels } from './owned-models';
import { Checkpointer } from './checkpointer';

/** The monitor's consumer group: a model's predictions and labels partitions go to one instance (CoPartitionAssigner). */
function monitorTransport(kafka: Kafka, config: MonitorConfig): KafkaBatchTransport {
  return new KafkaBatchTransport(kafka, {
    groupId: config.groupId,
    streams: ['predictions', 'labels'],
    topics: topicMap(config.topicPrefix),
    consumer: { partitionAssigners: [CoPartitionAssigner], sessionTimeout: 10_000, heartbeatInterval: 1_000 },
  });
}

@Module({
  imports: [OpsModule, MessagingModule.forRoot({ clientIdSuffix: 'monitor' }), StorageModule.forRoot()],
  controllers: [ModelsController, MonitorEventsController],
  providers: [
    { provide: MONITOR_CONFIG, useFactory: () => loadMonitorConfig() },
    { provide: KafkaBatchTransport, inject: [KAFKA, MONITOR_CONFIG], useFactory: monitorTransport },
    { provide: MONITOR_REPOSITORY, inject: [CLICKHOUSE], useFactory: (client: ClickHouseClient) => new MonitorRepository(client) },
    MonitorMetrics,
    ModelSeriesMetrics,
    ModelOperations,
    OwnedModels,
    Checkpointer,
    ModelsService,
    MonitorService,
  ],
})
export class MonitorModule {}
