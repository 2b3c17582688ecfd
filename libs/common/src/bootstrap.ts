import { INestApplication, NestApplicationOptions, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConnectionFailureError } from './errors';
import { createJsonLogger } from './logger';

/**
 * Starts a Vigil service the same way everywhere: JSON logs, shutdown hooks (so
 * consumers commit and producers flush on SIGTERM), HTTP for /health and /metrics.
 *
 * A service that cannot start (a server refuses its credentials, an unknown CA, a wrong
 * port, bad configuration) writes ONE JSON line saying why and exits with status 1: a
 * supervisor restarts it with backoff, and the operator reads the reason instead of a
 * stack trace (docs/security.md "When a connection fails").
 */
export interface ServiceStart {
  /** Before HTTP listens: initialises the app and starts what else it serves (its Kafka transport). */
  start?: (app: INestApplication) => Promise<void>;
  /** How the app is built from the module; a test-only entry builds it with providers overridden. */
  create?: (module: Type<unknown>, options: NestApplicationOptions) => Promise<INestApplication>;
}

export async function bootstrapService(
  module: Type<unknown>,
  service: string,
  port: () => number,
  { start = (app) => app.init().then(() => undefined), create = (m, options) => NestFactory.create(m, options) }: ServiceStart = {},
): Promise<INestApplication> {
  const logger = createJsonLogger(service);
  try {
    // Read inside the try: invalid configuration is reported like any other start failure.
    const httpPort = port();
    // abortOnError false: a failing provider rejects here instead of Nest aborting the process.
    // No bufferLogs: the logger is given here already, and Nest's buffer would print each
    // start-up line when the HTTP server listens, stamped with that time, not its own.
    const app = await create(module, { logger, abortOnError: false });
    app.enableShutdownHooks();
    // Loopback unless told otherwise (containers set HTTP_HOST=0.0.0.0).
    const host = process.env.HTTP_HOST ?? '127.0.0.1';
    await start(app);
    await app.listen(httpPort, host);
    logger.log({ message: `${service} listening`, url: `http://${host}:${httpPort}`, health: '/health', metrics: '/metrics' });
    return app;
  } catch (error) {
    logger.fatal(startFailure(service, error));
    process.exit(1);
  }
}

function startFailure(service: string, error: unknown): Record<string, string> {
  if (error instanceof ConnectionFailureError) {
    return { message: `${service} cannot start: ${error.server} connection failed`, ...error.toLogFields() };
  }
  const described = describe(error);
  return {
    message: `${service} cannot start`,
    error: described,
    ...(/AUTHORIZATION_FAILED|authorization failed/i.test(described) && {
      hint: "the service's Kafka principal lacks an ACL: grant the ones docs/security.md lists for it",
    }),
  };
}

/**
 * The error's message with what it aggregates: kafkajs reports refused topic creations
 * as "Topic creation errors" and keeps each topic's error type (TOPIC_AUTHORIZATION_FAILED)
 * in `errors`.
 */
function describe(error: unknown): string {
  const e = (error ?? {}) as { message?: string; type?: string; errors?: unknown };
  const base = `${e.message ?? String(error)}${e.type ? ` (${e.type})` : ''}`;
  if (!Array.isArray(e.errors) || e.errors.length === 0) return base;
  const parts = e.errors.map((nested) => {
    const n = (nested ?? {}) as { message?: string; type?: string; topic?: string };
    return `${n.topic ? `${n.topic}: ` : ''}${n.type ?? n.message ?? String(nested)}`;
  });
  return `${base}: ${[...new Set(parts)].join('; ')}`;
}
