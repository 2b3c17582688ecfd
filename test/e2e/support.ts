/**
 * The whole pipeline as it runs in production: the simulator (through @vigil/sdk) writes
 * to Kafka, the monitor and the orchestrator run as child processes, and a recorder reads
 * what comes out (alerts, snapshots, requests) with the wall time it arrived.
 * Shared by test/e2e/*.e2e-spec.ts and bench/e2e.ts.
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { InfrastructureConfig } from '@vigil/common';
import type { Alert, MetricSnapshot, RetrainRequested, RollbackRequested, TopicMap } from '@vigil/contracts';
import { AvroDecoder } from '@vigil/messaging';
import type { LabelInput, ModelDeployedInput, PredictionInput, VigilClient } from '@vigil/sdk';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consumer, Kafka } from 'kafkajs';
import type { SimulationSink } from '../../apps/simulator/src';
import { freePort, serviceEnv, ServiceProcess, VigilApp } from '../support/service-process';

/**
 * Monitor settings for verdicts in seconds instead of minutes. Each differs from the
 * default (docs/monitor.md) for a reason:
 * - snapshots every 500 ms (default 10 s): the orchestrator's floor streak counts
 *   snapshots, so three of them take 1.5 s instead of 30 s;
 * - checkpoints every 1 s (default 5 s): the SIGKILL scenario waits for a checkpoint;
 * - a rolling window of 300 labels (default 500) with verdicts from 150 (default 200):
 *   the window turns over after 300 labels of a drifted world instead of 500, while at
 *   accuracy 0.88 the window's standard deviation sqrt(0.88 × 0.12 / 300) ≈ 0.019 keeps
 *   the 0.78 floor 5.3 σ away from a healthy model (no false alarm by chance);
 * - 2 partitions (default 6): fewer consumer assignments to wait for on 2 cores.
 * Reference size and drift window stay at their defaults (1000, 500): smaller samples
 * would make the feature-drift tests noisier, and no scenario here needs them faster.
 */
export function monitorSettings(groupId: string): Record<string, string> {
  return {
    MONITOR_GROUP_ID: groupId,
    MONITOR_SNAPSHOT_INTERVAL_MS: '500',
    MONITOR_CHECKPOINT_INTERVAL_MS: '1000',
    MONITOR_METRIC_WINDOW: '300',
    MONITOR_MIN_LABELS: '150',
    VIGIL_TOPIC_PARTITIONS: '2',
  };
}

/** Accuracy below which the orchestrator counts a whole-version snapshot as CRITICAL (see `policies`). */
export const ACCURACY_FLOOR = 0.78;

/**
 * Orchestrator policy (file layer). Differences from the builtin defaults (docs/orchestrator.md):
 * - `accuracyFloor` 0.78 (default null): snapshots count as CRITICAL observations, so the
 *   verdict does not wait for the monitor's one alert per episode. The simulated
 *   card-fraud model scores 0.88 before and 0.71 after concept drift (docs/simulator.md);
 *   0.78 is the monitor's own accuracy_drop threshold (baseline 0.88 − maxAccuracyDrop 0.1),
 *   5.3 σ below a healthy window of 300 (see `monitorSettings`);
 * - `minSampleSize` 150 (default 100): the monitor's first verdict (MONITOR_MIN_LABELS);
 * - `consecutiveCritical` stays 3 (three snapshots = 1.5 s at 500 ms), except for the
 *   restart model (8 = 4 s), so that the kill lands between the first observation and the request;
 * - rollback keeps its defaults (200 labels each side, margin 0.03, alpha 0.01): the
 *   bad version's 0.29 against 0.88 is decided by the first 200 labels anyway.
 */
export function writePolicies(restartModelId?: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  const file = join(dir, 'policies.json');
  const policies = {
    defaults: { retrain: { performance: { kinds: ['PERFORMANCE'], consecutiveCritical: 3, accuracyFloor: ACCURACY_FLOOR, minSampleSize: 150 } } },
    models: restartModelId ? { [restartModelId]: { retrain: { performance: { consecutiveCritical: 8 } } } } : {},
  };
  writeFileSync(file, JSON.stringify(policies, null, 2));
  return { dir, file };
}

export function orchestratorSettings(runId: string, policiesFile: string): Record<string, string> {
  return {
    ORCHESTRATOR_POLICIES: policiesFile,
    ORCHESTRATOR_GROUP_ID: `orchestrator-${runId}`,
    ORCHESTRATOR_TRANSACTIONAL_ID: `orchestrator-${runId}`,
    // The broker minimum (default 30 s): a SIGKILLed instance's partitions come back within ~6 s.
    ORCHESTRATOR_SESSION_TIMEOUT_MS: '6000',
    VIGIL_TOPIC_PARTITIONS: '2',
  };
}

/** Starts a service and waits until /health answers 200 (fails with its output if it exits). */
export async function startService(app: VigilApp, config: InfrastructureConfig, settings: Record<string, string>, port?: number): Promise<ServiceProcess> {
  const service = new ServiceProcess(app, serviceEnv(config, settings), port ?? (await freePort()));
  await service.startHealthy();
  return service;
}

export interface Received<T> {
  value: T;
  /** Wall time (ms) the recorder decoded it. */
  at: number;
}

/** What the pipeline publishes, as a downstream consumer (read_committed) sees it. */
export class PipelineRecorder {
  readonly alerts: Received<Alert>[] = [];
  /** The alerts' original records, to publish again as duplicates. */
  readonly rawAlerts: { key: Buffer | null; value: Buffer }[] = [];
  readonly snapshots: Received<MetricSnapshot>[] = [];
  readonly retrains: Received<RetrainRequested>[] = [];
  readonly rollbacks: Received<RollbackRequested>[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(kafka: Kafka, registry: SchemaRegistry, topics: TopicMap, groupId: string): Promise<PipelineRecorder> {
    const consumer = kafka.consumer({ groupId, readUncommitted: false, sessionTimeout: 6000, heartbeatInterval: 600, maxWaitTimeInMs: 50 });
    const recorder = new PipelineRecorder(consumer);
    const decoder = new AvroDecoder(registry);
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.alerts, topics.metricSnapshots, topics.retrainRequested, topics.rollbackRequested], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const at = Date.now();
        const value = message.value!;
        if (topic === topics.alerts) {
          recorder.alerts.push({ value: (await decoder.decode<Alert>(value)).value, at });
          recorder.rawAlerts.push({ key: message.key, value });
        } else if (topic === topics.metricSnapshots) recorder.snapshots.push({ value: (await decoder.decode<MetricSnapshot>(value)).value, at });
        else if (topic === topics.retrainRequested) recorder.retrains.push({ value: (await decoder.decode<RetrainRequested>(value)).value, at });
        else recorder.rollbacks.push({ value: (await decoder.decode<RollbackRequested>(value)).value, at });
      },
    });
    return recorder;
  }

  alertsOf(modelId: string): Received<Alert>[] {
    return this.alerts.filter((a) => a.value.modelId === modelId);
  }

  snapshotsOf(modelId: string): Received<MetricSnapshot>[] {
    return this.snapshots.filter((s) => s.value.modelId === modelId && s.value.segmentKey === '');
  }

  retrainsOf(modelId: string): Received<RetrainRequested>[] {
    return this.retrains.filter((r) => r.value.modelId === modelId);
  }

  rollbacksOf(modelId: string): Received<RollbackRequested>[] {
    return this.rollbacks.filter((r) => r.value.modelId === modelId);
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

/**
 * The simulator's sink: forwards to the SDK under another model id (so each scenario has
 * its own model on one shared service set) and notes when the change began and when
 * each label of a prediction made after it was sent.
 */
export class ScenarioSink implements SimulationSink {
  private predictions = 0;
  private readonly afterOnset = new Set<string>();
  /** Wall time the first prediction of the changed world (or the new deployment) was recorded. */
  onsetAt: number | null = null;
  /** Wall times the labels of post-onset predictions were recorded. */
  readonly labelsAfterOnset: number[] = [];
  labels = 0;

  /**
   * @param onsetIndex index of the first changed prediction (`changeAt × events` for one
   *   model, see `conditionsAt`), or null when the onset is a deployment other than the first.
   */
  constructor(
    private readonly sdk: VigilClient,
    readonly modelId: string,
    private readonly onsetIndex: number | null,
  ) {}

  recordPrediction(input: PredictionInput): Promise<string> {
    if (this.onsetIndex !== null && this.predictions >= this.onsetIndex) {
      this.onsetAt ??= Date.now();
      this.afterOnset.add(input.eventId!);
    } else if (this.onsetIndex === null && this.onsetAt !== null) {
      this.afterOnset.add(input.eventId!);
    }
    this.predictions += 1;
    return this.sdk.recordPrediction({ ...input, modelId: this.modelId });
  }

  recordLabel(input: LabelInput): Promise<string> {
    this.labels += 1;
    if (this.afterOnset.has(input.predictionEventId)) this.labelsAfterOnset.push(Date.now());
    return this.sdk.recordLabel({ ...input, modelId: this.modelId });
  }

  recordModelDeployed(input: ModelDeployedInput): Promise<string> {
    if (this.onsetIndex === null && input.reason !== 'initial') this.onsetAt ??= Date.now();
    return this.sdk.recordModelDeployed({ ...input, modelId: this.modelId });
  }

  flush(): Promise<void> {
    return this.sdk.flush();
  }

  /** Labels of post-onset predictions recorded up to wall time `at`. */
  labelsAfterOnsetBy(at: number): number {
    return this.labelsAfterOnset.filter((t) => t <= at).length;
  }
}

export interface ModelMetrics {
  labels: Record<string, number>;
  groups: { modelVersion: string; segmentKey: string; predictionCount: number; labelledCount: number; metrics: Record<string, number> }[];
}

/** Labelled predictions of a model version (whole-version group) according to the monitor's HTTP API, 0 when unknown. */
export async function labelledCount(monitor: ServiceProcess, modelId: string, version = 'v1'): Promise<number> {
  const answer = await monitor.tryGet<ModelMetrics>(`/models/${encodeURIComponent(modelId)}/metrics`);
  if (answer?.status !== 200) return 0;
  return answer.body.groups.find((g) => g.modelVersion === version && g.segmentKey === '')?.labelledCount ?? 0;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
