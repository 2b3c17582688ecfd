import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PassBatchErrors } from '@vigil/messaging';
import type { EachBatchPayload } from 'kafkajs';
import { MonitorService } from './monitor.service';

/** The monitor's Kafka handlers: each partition batch of predictions and labels (co-partitioned, see CoPartitionAssigner). */
@Controller()
@UseFilters(PassBatchErrors)
export class MonitorEventsController {
  constructor(private readonly monitor: MonitorService) {}

  @EventPattern(['predictions', 'labels'])
  consumeBatch(@Payload() batch: EachBatchPayload): Promise<void> {
    return this.monitor.consume(batch);
  }
}
