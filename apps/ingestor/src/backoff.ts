/**
 * Delay before retry number `attempt` (0-based): doubles from `initialMs` and stops
 * growing at `maxMs`, so a long ClickHouse outage is polled at a steady pace and the
 * first retry after it returns comes at most `maxMs` later.
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
}
