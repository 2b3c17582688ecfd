export * from './errors';
export { errorChain, explainTransportFailure, type ErrorLike } from './connection-failure';
export { createJsonLogger } from './logger';
export { bootstrapService, type ServiceStart } from './bootstrap';
export {
  loadInfrastructureConfig,
  type InfrastructureConfig,
  type KafkaSecurity,
  type KafkaSecurityProtocol,
  type KafkaSaslMechanism,
} from './env';
export { OpsModule } from './ops/ops.module';
export { HealthRegistry, type ComponentHealth } from './ops/health';
export { MetricsRegistry } from './ops/metrics';
export { createRetryPolicy, isRetriable, retryCounter, type RetryOptions, type RetryOutcome, type RetryPolicy } from './retry';
export { Serializer } from './mutex';
export { ApiCaller, ApiTokenGuard, Public, roleNeededFor } from './auth/api-auth.guard';
export { ApiTokenSet, sha256, type ApiPrincipal, type ApiRole } from './auth/api-tokens';
export { loadApiTokens } from './auth/api-tokens.config';
export { AlertmanagerClient, dashboardLink, loadAlertmanagerConfig, type AlertmanagerAlert, type AlertmanagerConfig } from './ops/alertmanager';
export { describeZodIssues, env, parseEnv, ZodValidationPipe } from './validation';
