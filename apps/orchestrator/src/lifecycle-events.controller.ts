import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PassBatchErrors } from '@vigil/messaging';
import type { EachBatchPayload } from 'kafkajs';
import { LifecycleStream } from './lifecycle.stream';

/** The orchestrator's Kafka handlers: each partition batch of its four input streams, decided and committed in one transaction. */
@Controller()
@UseFilters(PassBatchErrors)
export class LifecycleEventsController {
  constructor(private readonly stream: LifecycleStream) {}

  @EventPattern(['alerts', 'metricSnapshots', 'modelDeployed', 'retrainCompleted'])
  decideBatch(@Payload() batch: EachBatchPayload): Promise<void> {
    return this.stream.onBatch(batch);
  }
}
