export * from './metrics';
export * from './fleet';
export * from './model-view';
export * from './evidence-sql';
