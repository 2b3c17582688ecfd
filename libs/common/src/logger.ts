import { ConsoleLogger, LogLevel } from '@nestjs/common';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Structured (one JSON object per line) logger for a Vigil service. */
export function createJsonLogger(service: string, level: string = process.env.LOG_LEVEL ?? 'log'): ConsoleLogger {
  const index = LEVELS.indexOf(level as LogLevel);
  const logLevels = LEVELS.slice(0, index < 0 ? LEVELS.indexOf('log') + 1 : index + 1);
  return new ConsoleLogger(service, { json: true, logLevels, colors: false });
}
