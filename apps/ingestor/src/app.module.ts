import { Module } from '@nestjs/common';
import { OpsModule } from '@vigil/common';
import { topicMap } from '@vigil/contracts';
import { KAFKA, KafkaBatchTransport, MessagingModule } from '@vigil/messaging';
import { StorageModule } from '@vigil/storage';
import { Kafka } from 'kafkajs';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { IngestController } from './ingest.controller';
import { IngestMetrics } from './ingest.metrics';
import { IngestRepository } from './ingest.repository';
import { IngestService } from './ingest.service';
import { INGESTOR_CONFIG, IngestorConfig, loadIngestorConfig } from './ingestor.config';

/** The ingestor's consumer group: both input streams, large fetches, partitions in parallel. */
function ingestTransport(kafka: Kafka, config: IngestorConfig): KafkaBatchTransport {
  return new KafkaBatchTransport(kafka, {
    groupId: config.groupId,
    streams: ['predictions', 'labels'],
    topics: topicMap(config.topicPrefix),
    consumer: { maxBytesPerPartition: config.fetch.maxBytesPerPartition, maxBytes: config.fetch.maxBytes },
    partitionsConcurrency: config.fetch.partitionsConcurrency,
  });
}

@Module({
  imports: [OpsModule, MessagingModule.forRoot(), StorageModule.forRoot()],
  controllers: [IngestController],
  providers: [
    { provide: INGESTOR_CONFIG, useFactory: () => loadIngestorConfig() },
    { provide: KafkaBatchTransport, inject: [KAFKA, INGESTOR_CONFIG], useFactory: ingestTransport },
    IngestRepository,
    IngestMetrics,
    DeadLetterPublisher,
    IngestService,
  ],
})
export class IngestorModule {}
