export * from './random';
export * from './generators';
export * from './drift';
