import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PassBatchErrors } from '@vigil/messaging';
import type { EachBatchPayload } from 'kafkajs';
import { IngestService } from './ingest.service';

/** The ingestor's Kafka handlers: every partition batch of both streams, as kafkajs fetched it. */
@Controller()
@UseFilters(PassBatchErrors)
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @EventPattern(['predictions', 'labels'])
  ingestBatch(@Payload() batch: EachBatchPayload): Promise<void> {
    return this.ingest.ingestBatch(batch);
  }
}
