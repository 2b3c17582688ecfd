import { decorrelatedJitterGenerator, ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { Counter, Registry } from 'prom-client';
import { RejectedRecordError } from './errors';

/**
 * The one retry policy of the project (cockatiel underneath): bounded, exponential
 * backoff with decorrelated jitter (Polly's "DecorrelatedJitterV2", AWS's advice for
 * many clients retrying the same server), and every retry counted in
 * `vigil_retries_total{operation, outcome}`.
 */
export interface RetryOptions {
  /** What is retried: the `operation` label of the metric and of the caller's logs. */
  operation: string;
  /** Retries after the first try; the call fails once they are spent. */
  maxRetries: number;
  /** Median delay before the first retry. */
  initialDelayMs: number;
  /** No delay is longer than this. */
  maxDelayMs: number;
  /** Which failures are worth another try (default: {@link isRetriable}). */
  retriable?: (error: Error) => boolean;
  /** Called before each delay, e.g. to log or to heartbeat a Kafka consumer. */
  onRetry?: (event: { error: Error; attempt: number; delayMs: number }) => void;
}

/** Outcomes counted per operation: each retry, a call that succeeded after retrying, a call that gave up. */
export type RetryOutcome = 'retry' | 'recovered' | 'gave_up';

export interface RetryPolicy {
  readonly operation: string;
  /** Runs `task` (given its 0-based attempt), retrying retriable failures; an aborted `signal` stops between attempts. */
  execute<T>(task: (attempt: number) => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/**
 * Worth retrying: anything that says it is retriable (StorageUnavailableError, kafkajs's
 * retriable errors), never a record the contract rejects.
 */
export function isRetriable(error: Error): boolean {
  if (error instanceof RejectedRecordError) return false;
  return (error as { retriable?: unknown }).retriable === true;
}

const counters = new WeakMap<Registry, Counter<'operation' | 'outcome'>>();

/** The shared retry counter of a Prometheus registry (created once per registry). */
export function retryCounter(registry: Registry): Counter<'operation' | 'outcome'> {
  let counter = counters.get(registry);
  if (!counter) {
    counter = new Counter({
      name: 'vigil_retries_total',
      help: 'Retries of failed operations, by operation and outcome (retry = one more attempt, recovered = succeeded after retrying, gave_up = retries spent)',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    });
    counters.set(registry, counter);
  }
  return counter;
}

export function createRetryPolicy(options: RetryOptions, registry?: Registry): RetryPolicy {
  const counter = registry ? retryCounter(registry) : undefined;
  const count = (outcome: RetryOutcome) => counter?.inc({ operation: options.operation, outcome });
  const policy = retry(handleWhen(options.retriable ?? isRetriable), {
    maxAttempts: options.maxRetries,
    backoff: new ExponentialBackoff({ initialDelay: options.initialDelayMs, maxDelay: options.maxDelayMs, generator: decorrelatedJitterGenerator }),
  });
  policy.onRetry((event) => {
    count('retry');
    if ('error' in event) options.onRetry?.({ error: event.error, attempt: event.attempt, delayMs: event.delay });
  });
  // cockatiel gives up only on handled (retriable) failures: the others are rethrown at once.
  policy.onGiveUp(() => count('gave_up'));
  return {
    operation: options.operation,
    async execute<T>(task: (attempt: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
      let attempts = 0;
      const result = await policy.execute(({ attempt }) => {
        attempts = attempt + 1;
        return task(attempt);
      }, signal);
      if (attempts > 1) count('recovered');
      return result;
    },
  };
}
