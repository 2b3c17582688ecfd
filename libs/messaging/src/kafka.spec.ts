import { LoggerService } from '@nestjs/common';
import { createKafka } from './kafka';

/** Collects what kafkajs forwards at WARN and above; nothing connects (creating a producer is local). */
function recordingLogger(): { logger: LoggerService; warnings: unknown[] } {
  const warnings: unknown[] = [];
  const logger: LoggerService = { log: () => undefined, warn: (line: unknown) => warnings.push(line), error: (line: unknown) => warnings.push(line) };
  return { logger, warnings };
}

describe('createKafka producers', () => {
  // The two warnings of issue 15: kafkajs's v2 partitioner notice and "Limiting retries for the idempotent producer".
  it('creates plain, idempotent and transactional producers without a warning', () => {
    const { logger, warnings } = recordingLogger();
    const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'kafka-spec' }, logger);
    kafka.producer();
    kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    kafka.producer({ transactionalId: 'kafka-spec', idempotent: true, maxInFlightRequests: 1 });
    expect(warnings).toEqual([]);
  });
});
