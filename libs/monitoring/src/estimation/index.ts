export * from './cbpe';
export { IsotonicCalibrator } from './isotonic';
export type { IsotonicCalibratorJSON } from './isotonic';
