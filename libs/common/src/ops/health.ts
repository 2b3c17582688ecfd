import { Controller, Get, Injectable } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorResult } from '@nestjs/terminus';
import { Public } from '../auth/api-auth.guard';

/**
 * A component's own view of its health. `degraded` means working but impaired (e.g.
 * the ingestor paused while ClickHouse is away): reported, but still up, so an
 * orchestrator does not restart a process that is correctly waiting.
 */
export type ComponentHealth = { status: 'up' | 'degraded' | 'down' } & Record<string, unknown>;

@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, () => ComponentHealth | Promise<ComponentHealth>>();

  register(name: string, check: () => ComponentHealth | Promise<ComponentHealth>): void {
    this.checks.set(name, check);
  }

  indicators(): (() => Promise<HealthIndicatorResult>)[] {
    return [...this.checks].map(([name, check]) => async () => {
      const { status, ...details } = await check();
      return { [name]: { status: status === 'down' ? 'down' : 'up', degraded: status === 'degraded', ...details } };
    });
  }
}

/** Open to probes: orchestrators and load balancers carry no token. */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly registry: HealthRegistry,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check(this.registry.indicators());
  }
}
