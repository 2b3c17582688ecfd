import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createJsonLogger } from './logger';

/**
 * Starts a Vigil service the same way everywhere: JSON logs, shutdown hooks (so
 * consumers commit and producers flush on SIGTERM), HTTP for /health and /metrics.
 */
export async function bootstrapService(module: Type<unknown>, service: string, port: number): Promise<INestApplication> {
  const logger = createJsonLogger(service);
  const app = await NestFactory.create(module, { logger, bufferLogs: true });
  app.enableShutdownHooks();
  await app.listen(port, '127.0.0.1');
  logger.log({ message: `${service} listening`, url: `http://127.0.0.1:${port}`, health: '/health', metrics: '/metrics' });
  return app;
}
