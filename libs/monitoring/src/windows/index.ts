// The event-time window of the engine (bench:engine's pipeline, docs/engine.md). The monitor's
// rolling and drift windows are count windows with their own needs (resized with the
// config, restarted on a new reference, checkpointed): apps/monitor/src/core.
export type { Aggregate, MergeableAggregate } from './aggregate';
export { TimeWindow } from './time-window';
export type { TimeWindowOptions, ClosedTimeWindow } from './time-window';
