import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { OpsModule } from '@vigil/common';
import { createClickHouse } from '@vigil/storage';
import { ModelsController } from './models.controller';
import { MONITOR_CONFIG, MonitorConfig, loadMonitorConfig, monitorEnvValidation } from './monitor.config';
import { MonitorMetrics } from './monitor.metrics';
import { MonitorRepository } from './monitor.repository';
import { ModelOperations } from './model-operations';
import { ModelSeriesMetrics } from './model-series.metrics';
import { MONITOR_REPOSITORY, MonitorService } from './monitor.service';

const CLICKHOUSE = Symbol('ClickHouse');

@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true, validationSchema: monitorEnvValidation }), OpsModule],
  controllers: [ModelsController],
  providers: [
    { provide: MONITOR_CONFIG, useFactory: () => loadMonitorConfig() },
    { provide: CLICKHOUSE, inject: [MONITOR_CONFIG], useFactory: (config: MonitorConfig) => createClickHouse(config.clickhouse) },
    { provide: MONITOR_REPOSITORY, inject: [CLICKHOUSE], useFactory: (client: ClickHouseClient) => new MonitorRepository(client) },
    MonitorMetrics,
    ModelSeriesMetrics,
    ModelOperations,
    MonitorService,
  ],
})
export class MonitorModule implements OnApplicationShutdown {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.clickhouse.close();
  }
}
