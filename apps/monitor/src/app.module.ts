import { ClickHouseClient } from '@clickhouse/client';
import { Module } from '@nestjs/common';
import { OpsModule } from '@vigil/common';
import { MessagingModule } from '@vigil/messaging';
import { CLICKHOUSE, StorageModule } from '@vigil/storage';
import { ModelsController } from './models.controller';
import { loadMonitorConfig, MONITOR_CONFIG } from './monitor.config';
import { MonitorMetrics } from './monitor.metrics';
import { MonitorRepository } from './monitor.repository';
import { ModelOperations } from './model-operations';
import { ModelSeriesMetrics } from './model-series.metrics';
import { MONITOR_REPOSITORY, MonitorService } from './monitor.service';

@Module({
  imports: [
    OpsModule,
    MessagingModule.forRoot({ clientIdSuffix: 'monitor' }),
    StorageModule.forRoot(),
  ],
  controllers: [ModelsController],
  providers: [
    { provide: MONITOR_CONFIG, useFactory: () => loadMonitorConfig() },
    { provide: MONITOR_REPOSITORY, inject: [CLICKHOUSE], useFactory: (client: ClickHouseClient) => new MonitorRepository(client) },
    MonitorMetrics,
    ModelSeriesMetrics,
    ModelOperations,
    MonitorService,
  ],
})
export class MonitorModule {}
