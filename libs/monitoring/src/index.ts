export * from './drift';
export * from './quality';
export * from './detectors';
export * from './windows';
export * from './join';
export * from './metrics';
export { mulberry32, gaussian } from './random';
export * from './stats';
export * from './estimation';
/** Seeded ports of River's drifting-stream generators, for the detection bench. */
export * as streams from './streams';
