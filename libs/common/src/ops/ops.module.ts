import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ApiAuthModule } from '../auth/api-auth.module';
import { HealthController, HealthRegistry } from './health';
import { MetricsController, MetricsRegistry } from './metrics';

/** GET /health and GET /metrics (open) for every Vigil service, and the bearer-token guard on every other route. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), ApiAuthModule],
  controllers: [HealthController, MetricsController],
  providers: [HealthRegistry, MetricsRegistry],
  exports: [HealthRegistry, MetricsRegistry],
})
export class OpsModule {}
