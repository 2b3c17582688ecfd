import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController, HealthRegistry } from './health';
import { MetricsController, MetricsRegistry } from './metrics';

/** GET /health and GET /metrics for every Vigil service. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, MetricsController],
  providers: [HealthRegistry, MetricsRegistry],
  exports: [HealthRegistry, MetricsRegistry],
})
export class OpsModule {}
