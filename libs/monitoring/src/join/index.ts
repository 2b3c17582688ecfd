export { LabelJoin } from './label-join';
export type { JoinablePrediction, JoinableLabel, JoinedPair, LabelJoinOptions, LabelJoinStats } from './label-join';
