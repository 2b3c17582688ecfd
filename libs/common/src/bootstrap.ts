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
  // Loopback unless told otherwise (containers set HTTP_HOST=0.0.0.0).
  const host = process.env.HTTP_HOST ?? '127.0.0.1';
  await app.listen(port, host);
  logger.log({ message: `${service} listening`, url: `http://${host}:${port}`, health: '/health', metrics: '/metrics' });
  return app;
}
