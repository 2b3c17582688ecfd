/**
 * The pipeline over the secured side of the local stack only: SASL_SSL Kafka (each
 * service as its own principal, the ACL table enforced by StandardAuthorizer), the
 * registry over TLS and ClickHouse over https with a password. The SDK (as the producer
 * principal) → ingestor → ClickHouse, and monitor → orchestrator → RetrainRequested.
 */
import { createKafka, createSchemaRegistry } from '@vigil/messaging';
import { VigilClient } from '@vigil/sdk';
import { createClickHouse, sql } from '@vigil/storage';
import { rmSync } from 'node:fs';
import type { LabelInput, ModelDeployedInput, PredictionInput } from '@vigil/sdk';
import { runSimulation, SimulationOptions, SimulationSink } from '../../apps/simulator/src';
import { freePort, ServiceProcess, serviceEnv, VigilApp } from '../support/service-process';
import { deleteTopics, dropDatabase, eventually, testInfrastructure } from '../support/stack';
import { grantAcls, SecureStack, secureStack, securedEnv, securedInfrastructure, testAclNames } from '../support/secure-stack';
import { monitorSettings, orchestratorSettings, PipelineRecorder, ScenarioSink, writePolicies } from '../e2e/support';
import { nativeStackMissing } from '../support/native-stack';

const plain = testInfrastructure('secure_pipeline');
const names = testAclNames(plain);
// The test's own observer reads the outputs through the PLAINTEXT listener (a super user).
const observer = createKafka({ brokers: plain.kafkaBrokers, clientId: `test-${plain.runId}` });
const policies = writePolicies();

/** Predictions and labels as the producer principal, deployments as the deployer principal: one role each. */
class PerRoleSink implements SimulationSink {
  constructor(
    private readonly scenario: ScenarioSink,
    private readonly deployer: VigilClient,
  ) {}

  recordPrediction(input: PredictionInput): Promise<string> {
    return this.scenario.recordPrediction(input);
  }

  recordLabel(input: LabelInput): Promise<string> {
    return this.scenario.recordLabel(input);
  }

  async recordModelDeployed(input: ModelDeployedInput): Promise<string> {
    const id = await this.deployer.recordModelDeployed({ ...input, modelId: this.scenario.modelId });
    await this.deployer.flush();
    return id;
  }

  async flush(): Promise<void> {
    await Promise.all([this.scenario.flush(), this.deployer.flush()]);
  }
}

const nativeMissing = nativeStackMissing('test/security/pipeline', 'the SASL_SSL listener, the https registry and https ClickHouse');

(nativeMissing ? describe.skip : describe)('pipeline over SASL_SSL Kafka, the TLS registry and https ClickHouse', () => {
  let stack: SecureStack;
  let revokeAcls: (() => Promise<void>) | undefined;
  const services: ServiceProcess[] = [];
  let recorder: PipelineRecorder | undefined;
  let sdk: VigilClient | undefined;
  let deployer: VigilClient | undefined;

  async function start(app: VigilApp, principal: 'vigil-ingestor' | 'vigil-monitor' | 'vigil-orchestrator', settings: Record<string, string>): Promise<ServiceProcess> {
    const service = new ServiceProcess(app, { ...serviceEnv(plain, settings), ...securedEnv(stack, principal) }, await freePort());
    services.push(service);
    await service.startHealthy();
    return service;
  }

  beforeAll(async () => {
    stack = await secureStack();
    revokeAcls = await grantAcls(observer, names);
    await start('ingestor', 'vigil-ingestor', { INGESTOR_GROUP_ID: names.groups.ingestor, VIGIL_TOPIC_PARTITIONS: '2' });
    await start('monitor', 'vigil-monitor', monitorSettings(names.groups.monitor));
    await start('orchestrator', 'vigil-orchestrator', {
      ...orchestratorSettings(plain.runId, policies.file),
      ORCHESTRATOR_GROUP_ID: names.groups.orchestrator,
      ORCHESTRATOR_TRANSACTIONAL_ID: names.transactionalIds.orchestrator,
    });
    recorder = await PipelineRecorder.start(observer, createSchemaRegistry(plain.schemaRegistry), names.topics, `recorder-${plain.runId}`);
    const connectAs = (principal: 'vigil-producer' | 'vigil-deployer') => {
      const secured = securedInfrastructure(plain, stack, principal, 'scram-sha-256');
      return VigilClient.connect({
        brokers: secured.kafkaBrokers,
        security: secured.kafkaSecurity,
        schemaRegistryUrl: secured.schemaRegistry.url,
        schemaRegistryCa: secured.schemaRegistry.ca,
        topicPrefix: plain.topicPrefix,
        clientId: `${principal}-${plain.runId}`,
      });
    };
    sdk = await connectAs('vigil-producer');
    deployer = await connectAs('vigil-deployer');
  }, 240_000);

  afterAll(async () => {
    await sdk?.close();
    await deployer?.close();
    await recorder?.stop();
    for (const service of services.reverse()) await service.stop();
    await revokeAcls?.();
    await deleteTopics(observer, plain.topicPrefix);
    await dropDatabase(plain);
    rmSync(policies.dir, { recursive: true, force: true });
  }, 60_000);

  it('stores every event in ClickHouse and turns a concept drift into one RetrainRequested', async () => {
    const modelId = 'secure-concept-drift';
    // The concept-drift run of test/e2e/pipeline.e2e-spec.ts: 2400 events at 200/s, onset at event 1200.
    const scenario = new ScenarioSink(sdk!, modelId, 1200);
    const sink = new PerRoleSink(scenario, deployer!);
    const simulation: SimulationOptions = {
      seed: 42,
      models: ['card-fraud'],
      events: 2400,
      rate: 200,
      timeScale: 600,
      labelDelayMeanS: 30,
      labelMissingShare: 0,
      progressIntervalMs: 60_000,
      scenario: { scenarios: ['concept-drift'], changeAt: 0.5, spikeLength: 0, malformedShare: 0 },
    };
    const stats = await runSimulation(simulation, sink);
    expect(stats.sendErrors).toBe(0);

    // Read back over https as the password-protected user, with the stack's CA.
    const clickhouse = createClickHouse(securedInfrastructure(plain, stack, 'vigil-ingestor').clickhouse);
    try {
      const counts = async () => {
        const result = await clickhouse.query({
          query: sql`SELECT (SELECT uniqExact(event_id) FROM predictions WHERE model_id = ${modelId}) AS predictions,
                            (SELECT uniqExact(event_id) FROM labels WHERE model_id = ${modelId}) AS labels`,
          format: 'JSONEachRow',
        });
        const [row] = await result.json<{ predictions: string; labels: string }>();
        return { predictions: Number(row.predictions), labels: Number(row.labels) };
      };
      // Every prediction and (labelMissingShare 0) every label: 2400 of each.
      await eventually(counts, (n) => n.predictions === 2400 && n.labels === 2400, 60_000);
    } finally {
      await clickhouse.close();
    }
    const [request] = await eventually(
      async () => recorder!.retrainsOf(modelId),
      (r) => r.length > 0,
      60_000,
    );
    expect(request.value).toMatchObject({ modelId, modelVersion: 'v1' });
    expect(recorder!.retrainsOf(modelId)).toHaveLength(1);
  });
});
