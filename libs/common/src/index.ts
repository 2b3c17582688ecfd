export * from './errors';
export { createJsonLogger } from './logger';
export { infrastructureEnvSchema, loadInfrastructureConfig, type InfrastructureConfig } from './env';
