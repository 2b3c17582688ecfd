import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { OpsModule } from '@vigil/common';
import { createClickHouse } from '@vigil/storage';
import { IngestConsumer } from './ingest.consumer';
import { IngestMetrics } from './ingest.metrics';
import { CLICKHOUSE, IngestRepository } from './ingest.repository';
import { INGESTOR_CONFIG, IngestorConfig, ingestorEnvValidation, loadIngestorConfig } from './ingestor.config';

@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true, validationSchema: ingestorEnvValidation }), OpsModule],
  providers: [
    { provide: INGESTOR_CONFIG, useFactory: () => loadIngestorConfig() },
    {
      provide: CLICKHOUSE,
      inject: [INGESTOR_CONFIG],
      useFactory: (config: IngestorConfig) => createClickHouse(config.clickhouse),
    },
    IngestRepository,
    IngestMetrics,
    IngestConsumer,
  ],
})
export class IngestorModule implements OnApplicationShutdown {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.clickhouse.close();
  }
}
