// A clock and an id source for pure cores that take them (ModelMonitor): deterministic, so
// a test's alerts and snapshots are the same on every run.

/** A wall clock stopped at `at` (ms since the epoch); `set` moves it. */
export function stoppedClock(at: number): { now(): number; set(to: number): void } {
  let time = at;
  return { now: () => time, set: (to: number) => void (time = to) };
}

/** Ids `<prefix>-1`, `<prefix>-2`, … in order. */
export function sequentialIds(prefix = 'id'): { next(): string } {
  let n = 0;
  return { next: () => `${prefix}-${++n}` };
}
