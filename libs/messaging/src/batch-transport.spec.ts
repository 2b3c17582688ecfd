import { ArgumentsHost } from '@nestjs/common';
import { topicMap } from '@vigil/contracts';
import { lastValueFrom } from 'rxjs';
import { KafkaBatchTransport, PassBatchErrors } from './batch-transport';
import { createKafka } from './kafka';

// Nothing here connects: a kafkajs consumer is only created, and listen() checks the handlers first.
const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'batch-transport-spec' });
const spec = { groupId: 'spec-group', streams: ['predictions', 'labels'] as const, topics: topicMap('spec.') };

describe('KafkaBatchTransport', () => {
  it('reads the topics of its streams under the configured prefix', () => {
    expect(new KafkaBatchTransport(kafka, spec).topics()).toEqual(['spec.predictions', 'spec.labels']);
  });

  it('refuses to start when a stream has no @EventPattern handler, naming it', async () => {
    const transport = new KafkaBatchTransport(kafka, spec);
    transport.addHandler('predictions', async () => undefined, true);
    const error = await new Promise<unknown>((resolve) => void transport.listen(resolve));
    expect(String(error)).toBe("Error: no @EventPattern('labels') handler for consumer group spec-group");
    expect(transport.state).toBe('starting');
  });
});

describe('PassBatchErrors', () => {
  it('hands the handler error on as thrown (class and message kept for kafkajs and the logs)', async () => {
    class StorageDown extends Error {}
    const thrown = new StorageDown('clickhouse unavailable');
    await expect(lastValueFrom(new PassBatchErrors().catch(thrown, {} as ArgumentsHost))).rejects.toBe(thrown);
  });
});
