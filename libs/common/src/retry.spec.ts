import { Registry } from 'prom-client';
import { DecodeError, StorageUnavailableError } from './errors';
import { Serializer } from './mutex';
import { createRetryPolicy, isRetriable } from './retry';

async function outcomes(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('vigil_retries_total')!.get();
  return Object.fromEntries(metric.values.map((v) => [`${v.labels.operation}/${v.labels.outcome}`, v.value]));
}

describe('createRetryPolicy', () => {
  const fast = { initialDelayMs: 1, maxDelayMs: 5 };

  it('retries a retriable failure and counts the retries and the recovery', async () => {
    const registry = new Registry();
    const policy = createRetryPolicy({ operation: 'test.write', maxRetries: 5, ...fast }, registry);
    const attempts: number[] = [];
    const result = await policy.execute(async (attempt) => {
      attempts.push(attempt);
      if (attempt < 2) throw new StorageUnavailableError('down');
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(attempts).toEqual([0, 1, 2]);
    // Two failures → two retries, then one recovered call.
    expect(await outcomes(registry)).toEqual({ 'test.write/retry': 2, 'test.write/recovered': 1 });
  });

  it('is bounded: gives up after maxRetries and rethrows the last error', async () => {
    const registry = new Registry();
    const policy = createRetryPolicy({ operation: 'test.write', maxRetries: 3, ...fast }, registry);
    let calls = 0;
    await expect(
      policy.execute(() => {
        calls++;
        return Promise.reject(new StorageUnavailableError(`down ${calls}`));
      }),
    ).rejects.toThrow('down 4');
    // 1 try + 3 retries.
    expect(calls).toBe(4);
    expect(await outcomes(registry)).toEqual({ 'test.write/retry': 3, 'test.write/gave_up': 1 });
  });

  it('does not retry what is not retriable', async () => {
    const policy = createRetryPolicy({ operation: 'test.decode', maxRetries: 3, ...fast });
    let calls = 0;
    await expect(
      policy.execute(() => {
        calls++;
        return Promise.reject(new DecodeError('bad bytes'));
      }),
    ).rejects.toThrow('bad bytes');
    expect(calls).toBe(1);
  });

  it('backs off with jitter below the cap, and tells the caller each delay', async () => {
    const delays: number[] = [];
    const policy = createRetryPolicy({
      operation: 'test.jitter',
      maxRetries: 6,
      initialDelayMs: 2,
      maxDelayMs: 20,
      onRetry: ({ delayMs }) => delays.push(delayMs),
    });
    await expect(policy.execute(() => Promise.reject(new StorageUnavailableError('down')))).rejects.toThrow('down');
    expect(delays).toHaveLength(6);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(20); // maxDelayMs
    }
    // Jitter: six random draws are not all the same delay.
    expect(new Set(delays).size).toBeGreaterThan(1);
  });

  it('shares one counter between the policies of a registry', async () => {
    const registry = new Registry();
    const a = createRetryPolicy({ operation: 'a', maxRetries: 1, ...fast }, registry);
    const b = createRetryPolicy({ operation: 'b', maxRetries: 1, ...fast }, registry);
    await expect(a.execute(() => Promise.reject(new StorageUnavailableError('x')))).rejects.toThrow();
    await expect(b.execute(() => Promise.reject(new StorageUnavailableError('x')))).rejects.toThrow();
    expect(await outcomes(registry)).toEqual({ 'a/retry': 1, 'a/gave_up': 1, 'b/retry': 1, 'b/gave_up': 1 });
  });

  it('reads the retriable flag of errors (kafkajs and ours)', () => {
    expect(isRetriable(new StorageUnavailableError('x'))).toBe(true);
    expect(isRetriable(Object.assign(new Error('broker'), { retriable: true }))).toBe(true);
    expect(isRetriable(new Error('plain'))).toBe(false);
    expect(isRetriable(new DecodeError('x'))).toBe(false);
  });
});

describe('Serializer', () => {
  it('runs tasks one at a time in arrival order, and a failure releases the lock', async () => {
    const serializer = new Serializer();
    const log: string[] = [];
    const task = (name: string, fail = false) =>
      serializer.run(async () => {
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, 2));
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([task('a'), task('b', true), task('c')]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
