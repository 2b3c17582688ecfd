import { LoggerService } from '@nestjs/common';
import { Kafka, logCreator, logLevel } from 'kafkajs';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
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

export function createKafka(settings: KafkaSettings, logger?: LoggerService): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    logLevel: logger ? logLevel.WARN : logLevel.NOTHING,
    logCreator: logger ? forwardTo(logger) : undefined,
    retry: { initialRetryTime: 300, retries: 8 },
  });
}
