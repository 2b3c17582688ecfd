export { ClassificationMetrics } from './classification';
export type { ClassificationObservation, ClassificationOptions, ClassificationReport, ClassMetrics, AveragedMetrics } from './classification';
export { RegressionMetrics } from './regression';
export type { RegressionObservation, RegressionReport } from './regression';
export { RocAucCounter } from './roc-auc';
export { LatencySketch } from './latency';
export type { LatencySketchJSON, LatencySummary } from './latency';
export { KeyedGroups, groupKeyId, groupKeysFor } from './keyed-groups';
export type { GroupKey, SegmentedEvent } from './keyed-groups';
