export * from './cbpe';
export { IsotonicCalibrator } from './isotonic';
