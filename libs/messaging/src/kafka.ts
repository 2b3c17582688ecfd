import { LoggerService } from '@nestjs/common';
import type { KafkaSecurity } from '@vigil/common';
import { Kafka, KafkaConfig, logCreator, logLevel, Partitioners, Producer, ProducerConfig, SASLOptions } from 'kafkajs';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** PLAINTEXT when absent (the local stack's default listener). */
  security?: KafkaSecurity;
}

/** kafkajs log lines forwarded to the service's structured logger. */
function forwardTo(logger: LoggerService): logCreator {
  return () =>
    ({ level, label, log }) => {
      const { message, ...extra } = log;
      const line = { kafkajs: label, message, ...extra };
      if (level === logLevel.ERROR) logger.error(line);
      else if (level === logLevel.WARN) logger.warn(line);
      else logger.debug?.(line);
    };
}

/** The ssl and sasl options kafkajs takes for a security setting. */
export function kafkaSecurityOptions(security: KafkaSecurity | undefined): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  if (!security) return {};
  const options: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (security.tls) {
    const { ca, cert, key, rejectUnauthorized } = security.tls;
    options.ssl = { rejectUnauthorized, ...(ca && { ca: [ca] }), ...(cert && { cert }), ...(key && { key }) };
  }
  if (security.sasl) options.sasl = { ...security.sasl } as SASLOptions;
  return options;
}

/**
 * kafkajs with two producer defaults set explicitly, so no service logs a warning about them:
 * - the partitioner: kafkajs 2's DefaultPartitioner (murmur2, the Java client's), the one every
 *   topic was written with; naming it is the supported way to silence the v2 migration warning;
 * - an idempotent or transactional producer retries without a count limit (kafkajs's own default
 *   for them, like the Java client's retries=MAX_INT): a limited count may give up in the middle
 *   of a sequence and invalidate exactly-once, which kafkajs warns about. The client-wide
 *   `retries` keeps bounding the consumer, the admin and plain producers.
 */
class VigilKafka extends Kafka {
  override producer(config: ProducerConfig = {}): Producer {
    const exactlyOnce = config.idempotent === true || config.transactionalId !== undefined;
    return super.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      ...config,
      ...(exactlyOnce && { retry: { ...config.retry, retries: Number.MAX_SAFE_INTEGER } }),
    });
  }
}

/** The one place a kafkajs client is built: every service, the SDK, the simulator and the tests. */
export function createKafka(settings: KafkaSettings, logger?: LoggerService, retries = 8): Kafka {
  return new VigilKafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ...kafkaSecurityOptions(settings.security),
    logLevel: logger ? logLevel.WARN : logLevel.NOTHING,
    logCreator: logger ? forwardTo(logger) : undefined,
    retry: { initialRetryTime: 300, retries },
  });
}
