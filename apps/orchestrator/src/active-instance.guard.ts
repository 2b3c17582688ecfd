import { CanActivate, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { OrchestratorLease } from './orchestrator.lease';

/**
 * The models API is served by the active instance only: its answers come from the engine
 * state, which a standby does not hold, and its changes must be decided by the one instance
 * that decides. A standby (or an instance still taking over) answers 503 naming the active.
 */
@Injectable()
export class ActiveInstanceGuard implements CanActivate {
  constructor(private readonly lease: OrchestratorLease) {}

  async canActivate(): Promise<boolean> {
    if (this.lease.role === 'active') return true;
    // Best effort: while the group rebalances (the active just died) no member holds the lease.
    const active = await this.lease.activeInstance().catch(() => null);
    throw new ServiceUnavailableException({
      statusCode: 503,
      error: 'Service Unavailable',
      message: `this orchestrator instance is ${this.lease.role === 'standby' ? 'a standby' : 'taking over'}: ${active ? `the active instance ${active} serves the models API` : 'no instance is active yet; retry shortly'}`,
      role: this.lease.role,
      active,
    });
  }
}
