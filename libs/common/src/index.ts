export * from './errors';
export { createJsonLogger } from './logger';
export { bootstrapService } from './bootstrap';
export { infrastructureEnvSchema, loadInfrastructureConfig, type InfrastructureConfig } from './env';
export { OpsModule } from './ops/ops.module';
export { HealthRegistry, type ComponentHealth } from './ops/health';
export { MetricsRegistry } from './ops/metrics';
export { createRetryPolicy, isRetriable, retryCounter, type RetryOptions, type RetryOutcome, type RetryPolicy } from './retry';
export { Serializer } from './mutex';
