/**
 * Test-only entry of the orchestrator (test/orchestrator/lifecycle.e2e-spec.ts spawns it
 * instead of apps/orchestrator/src/main.ts): the production app with LIFECYCLE_FAULTS
 * overridden so the process dies, like a kill -9, in the crash window its argument names:
 * `exit-after-persist` (incidents persisted, requests not yet produced) or
 * `exit-after-produce` (the transaction carrying them committed, not yet marked produced).
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { bootstrapService } from '@vigil/common';
import { OrchestratorModule } from '../../apps/orchestrator/src/app.module';
import { LIFECYCLE_FAULTS, LifecycleFaults, NO_FAULTS } from '../../apps/orchestrator/src/lifecycle.faults';
import type { PendingRequest } from '../../apps/orchestrator/src/lifecycle.service';
import { loadOrchestratorConfig } from '../../apps/orchestrator/src/orchestrator.config';
import { startOrchestrator } from '../../apps/orchestrator/src/orchestrator.start';

/** The exit status of a process killed by SIGKILL (128 + 9), which the crash tests expect. */
const KILLED = 137;

function exitIn(window: string): (pending: readonly PendingRequest[]) => void {
  return (pending) => {
    new Logger('Fault').warn({ message: `test fault ${window}: exiting`, incidents: pending.map((p) => p.incidentId) });
    process.exit(KILLED);
  };
}

function faults(window: string | undefined): LifecycleFaults {
  if (window === 'exit-after-persist') return { ...NO_FAULTS, afterPersist: exitIn(window) };
  if (window === 'exit-after-produce') return { ...NO_FAULTS, afterProduce: exitIn(window) };
  throw new Error(`the fault must be exit-after-persist or exit-after-produce, not ${window}`);
}

void bootstrapService(OrchestratorModule, 'orchestrator', () => loadOrchestratorConfig().httpPort, {
  start: startOrchestrator,
  create: async (root, options) => {
    const moduleRef = await Test.createTestingModule({ imports: [root] })
      .overrideProvider(LIFECYCLE_FAULTS)
      .useValue(faults(process.argv[2]))
      .compile();
    return moduleRef.createNestApplication(options);
  },
});
