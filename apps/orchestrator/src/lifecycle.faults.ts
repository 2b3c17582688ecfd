import type { PendingRequest } from './lifecycle.service';

/**
 * The two crash windows of the outbox (docs/orchestrator.md "Crashes"): after a batch's
 * incidents are persisted but before their requests are produced, and after the
 * transaction carrying them committed but before they are marked produced. Production
 * passes through (NO_FAULTS); the lifecycle e2e test starts the orchestrator from
 * test/support/orchestrator-with-faults.ts, which overrides LIFECYCLE_FAULTS to kill the
 * process there.
 */
export interface LifecycleFaults {
  afterPersist(pending: readonly PendingRequest[]): void;
  afterProduce(pending: readonly PendingRequest[]): void;
}

export const LIFECYCLE_FAULTS = Symbol('LifecycleFaults');

export const NO_FAULTS: LifecycleFaults = { afterPersist: () => undefined, afterProduce: () => undefined };
