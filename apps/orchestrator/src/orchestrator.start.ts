import { INestApplication } from '@nestjs/common';
import { KafkaBatchTransport } from '@vigil/messaging';
import { LifecycleStream } from './lifecycle.stream';
import { OrchestratorLease } from './orchestrator.lease';

/**
 * How the orchestrator starts (main.ts and the test-only entry): HTTP, health and the lease
 * at once; the lifecycle consumer only once this instance is given the lease, after its
 * producer fenced the previous active and the state was reloaded. Until then it is a hot
 * standby (docs/orchestrator.md "Active and standby").
 */
export async function startOrchestrator(app: INestApplication): Promise<void> {
  app.connectMicroservice({ strategy: app.get(KafkaBatchTransport) });
  await app.init();
  const stream = app.get(LifecycleStream);
  await app.get(OrchestratorLease).start(async () => {
    await stream.activate();
    await app.startAllMicroservices();
  });
}
