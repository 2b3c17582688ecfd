/** Wall-clock time (ms since the epoch), given to the core so it never reads the clock itself. */
export interface Clock {
  now(): number;
}

/** Unique ids for the alerts and snapshots the core emits. */
export interface IdSource {
  next(): string;
}
