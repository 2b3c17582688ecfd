import { Batcher } from './batcher';

/** A send that records each batch and completes only when the test says so. */
function controlledSend() {
  const batches: number[][] = [];
  const pending: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  const send = (items: number[]) => {
    batches.push(items);
    return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
  };
  return { batches, pending, send };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Batcher', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('sends a full batch at once and the rest after the linger time', async () => {
    const { batches, pending, send } = controlledSend();
    const batcher = new Batcher(send, { maxMessages: 3, lingerMs: 50, maxBuffered: 100 });
    [1, 2, 3, 4].forEach((n) => void batcher.add(n));
    expect(batches).toEqual([[1, 2, 3]]);
    pending[0].resolve();
    await tick();
    // 4 waits for companions: nothing leaves before 50 ms.
    jest.advanceTimersByTime(49);
    expect(batches).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('resolves each add when its batch is acknowledged and rejects with the send error', async () => {
    const { pending, send } = controlledSend();
    const batcher = new Batcher(send, { maxMessages: 2, lingerMs: 10, maxBuffered: 10 });
    const first = batcher.add(1);
    const second = batcher.add(2);
    const third = batcher.add(3);
    let firstDone = false;
    void first.then(() => (firstDone = true));
    await tick();
    expect(firstDone).toBe(false);
    pending[0].resolve();
    await expect(first).resolves.toBeUndefined();
    await expect(second).resolves.toBeUndefined();
    jest.advanceTimersByTime(10);
    pending[1].reject(new Error('broker down'));
    await expect(third).rejects.toThrow('broker down');
  });

  it('keeps one batch in flight so order is preserved', async () => {
    const { batches, pending, send } = controlledSend();
    const batcher = new Batcher(send, { maxMessages: 2, lingerMs: 10, maxBuffered: 10 });
    [1, 2, 3, 4, 5].forEach((n) => void batcher.add(n));
    expect(batches).toEqual([[1, 2]]);
    pending[0].resolve();
    await tick();
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    pending[1].resolve();
    await tick();
    jest.advanceTimersByTime(10);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('holds records back when the buffer is full until a batch is acknowledged', async () => {
    const { batches, pending, send } = controlledSend();
    const batcher = new Batcher(send, { maxMessages: 2, lingerMs: 10, maxBuffered: 4 });
    [1, 2, 3, 4, 5, 6].forEach((n) => void batcher.add(n));
    // 2 in flight + 2 queued = maxBuffered 4; 5 and 6 wait for room.
    expect(batcher.pending).toBe(6);
    expect(batches).toEqual([[1, 2]]);
    pending[0].resolve();
    await tick();
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    pending[1].resolve();
    await tick();
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    pending[2].resolve();
    await tick();
    expect(batcher.pending).toBe(0);
  });

  it('flush sends without lingering and reports a failed batch', async () => {
    const { batches, pending, send } = controlledSend();
    const batcher = new Batcher(send, { maxMessages: 10, lingerMs: 60_000, maxBuffered: 100 });
    void batcher.add(1).catch(() => undefined);
    void batcher.add(2).catch(() => undefined);
    const flushed = batcher.flush();
    expect(batches).toEqual([[1, 2]]);
    pending[0].reject(new Error('not leader'));
    await expect(flushed).rejects.toThrow('not leader');
    await expect(batcher.flush()).resolves.toBeUndefined();
  });

  it('refuses options that cannot work', () => {
    expect(() => new Batcher(async () => undefined, { maxMessages: 10, lingerMs: 5, maxBuffered: 5 })).toThrow(RangeError);
  });
});
