import { randomUUID } from 'node:crypto';
import type { Clock, IdSource } from './core/clock';

/** The process's wall clock and random UUIDs: what the service gives its ModelMonitors. */
export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };
export const RANDOM_IDS: IdSource = { next: () => randomUUID() };
