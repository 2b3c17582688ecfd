import { Module } from '@nestjs/common';
import { OpsModule } from '@vigil/common';
import { MessagingModule } from '@vigil/messaging';
import { StorageModule } from '@vigil/storage';
import { IngestConsumer } from './ingest.consumer';
import { IngestMetrics } from './ingest.metrics';
import { IngestRepository } from './ingest.repository';
import { INGESTOR_CONFIG, loadIngestorConfig } from './ingestor.config';

@Module({
  imports: [
    OpsModule,
    MessagingModule.forRoot(),
    StorageModule.forRoot(),
  ],
  providers: [{ provide: INGESTOR_CONFIG, useFactory: () => loadIngestorConfig() }, IngestRepository, IngestMetrics, IngestConsumer],
})
export class IngestorModule {}
