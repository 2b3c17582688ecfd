export type { Aggregate, InvertibleAggregate, MergeableAggregate } from './aggregate';
export { CountSlidingWindow, CountTumblingWindow } from './count-window';
export type { ClosedCountWindow } from './count-window';
export { TimeWindow } from './time-window';
export type { TimeWindowOptions, ClosedTimeWindow } from './time-window';
