import { ConsoleLogger, LogLevel } from '@nestjs/common';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Nest's ExceptionHandler logs a provider's start-up error with its stack, then the error
 * reaches bootstrapService, which reports it as one fatal JSON line and exits: the first
 * report is a stack trace an operator would have to read past, so it is left out.
 */
class StructuredLogger extends ConsoleLogger {
  override error(message: unknown, ...rest: unknown[]): void {
    if (rest[rest.length - 1] === 'ExceptionHandler') return;
    super.error(message, ...rest);
  }
}

/** Structured (one JSON object per line) logger for a Vigil service. */
export function createJsonLogger(service: string, level: string = process.env.LOG_LEVEL ?? 'log'): ConsoleLogger {
  const index = LEVELS.indexOf(level as LogLevel);
  const logLevels = LEVELS.slice(0, index < 0 ? LEVELS.indexOf('log') + 1 : index + 1);
  return new StructuredLogger(service, { json: true, logLevels, colors: false });
}
