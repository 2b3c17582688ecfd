import { LabelInput, ModelDeployedInput, PredictionInput } from '@vigil/sdk';
import { generateTraffic, MalformedKind, TrafficOptions } from './traffic';

/** What the simulator needs from the SDK client (a VigilClient fits). */
export interface SimulationSink {
  recordPrediction(input: PredictionInput): Promise<string>;
  recordLabel(input: LabelInput): Promise<string>;
  recordModelDeployed(input: ModelDeployedInput): Promise<string>;
  flush(): Promise<void>;
}

/** Sends records the SDK would refuse, straight to the predictions topic. */
export interface MalformedSink {
  send(kind: MalformedKind, prediction: PredictionInput & { eventId: string; modelVersion: string }): Promise<void>;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface SimulationOptions extends TrafficOptions {
  /** Predictions per second, all models together; 0 = as fast as the broker takes them. */
  rate: number;
  /** Simulated seconds per wall second: label delays are divided by it. */
  timeScale: number;
  /** Wall time between progress reports. */
  progressIntervalMs: number;
}

export interface SimulationHooks {
  malformed?: MalformedSink;
  onProgress?: (progress: SimulationProgress) => void;
  clock?: Clock;
  /** Stops generating; labels still pending are abandoned, what was recorded is flushed. */
  signal?: AbortSignal;
}

export interface SimulationProgress {
  elapsedS: number;
  predictions: number;
  labels: number;
  malformed: number;
  deployments: number;
  pendingLabels: number;
}

/** How good the served predictions were, from the simulator's knowledge of the truth. */
export interface PhaseQuality {
  predictions: number;
  /** Classification: share of predictions equal to the true class. */
  accuracy: number | null;
  /** Regression: mean absolute error against the true value. */
  meanAbsoluteError: number | null;
}

export interface ModelStats {
  predictions: number;
  labels: number;
  /** Labels that were never meant to arrive (the missing share). */
  labelsWithheld: number;
  malformed: number;
  deployments: string[];
  /** Before and after the scenario's change point. */
  quality: { before: PhaseQuality; after: PhaseQuality };
}

export interface SimulationStats extends SimulationProgress {
  labelsWithheld: number;
  /** Labels still waiting when the run was stopped. */
  labelsAbandoned: number;
  sendErrors: number;
  firstSendError: string | null;
  models: Record<string, ModelStats>;
}

interface ScheduledLabel {
  due: number;
  sequence: number;
  input: LabelInput;
}

/** Min-heap on (due, sequence): labels leave in due order, ties in scheduling order. */
class LabelQueue {
  private readonly heap: ScheduledLabel[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): ScheduledLabel | undefined {
    return this.heap[0];
  }

  push(item: ScheduledLabel): void {
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  pop(): ScheduledLabel | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l], h[m])) m = l;
        if (r < h.length && this.before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }

  private before(a: ScheduledLabel, b: ScheduledLabel): boolean {
    return a.due < b.due || (a.due === b.due && a.sequence < b.sequence);
  }
}

/** Unacknowledged records allowed before the simulator waits for the broker. */
const MAX_UNACKNOWLEDGED = 2_000;

class QualityTally {
  predictions = 0;
  correct = 0;
  classified = 0;
  absoluteErrorSum = 0;
  regressed = 0;

  add(correct: boolean | null, absoluteError: number | null): void {
    this.predictions += 1;
    if (correct !== null) {
      this.classified += 1;
      if (correct) this.correct += 1;
    }
    if (absoluteError !== null) {
      this.regressed += 1;
      this.absoluteErrorSum += absoluteError;
    }
  }

  summary(): PhaseQuality {
    return {
      predictions: this.predictions,
      accuracy: this.classified > 0 ? this.correct / this.classified : null,
      meanAbsoluteError: this.regressed > 0 ? this.absoluteErrorSum / this.regressed : null,
    };
  }
}

/**
 * Publishes the traffic of `generateTraffic(options)` through the SDK at `rate`
 * predictions per second, each label after its delay divided by `timeScale`, and
 * waits for the last label unless stopped. Resolves with what was sent.
 */
export async function runSimulation(options: SimulationOptions, sdk: SimulationSink, hooks: SimulationHooks = {}): Promise<SimulationStats> {
  const clock = hooks.clock ?? systemClock;
  if (options.scenario.scenarios.includes('malformed') && !hooks.malformed) {
    throw new Error('the malformed scenario needs a MalformedSink to send raw records');
  }
  if (!(options.timeScale > 0)) throw new RangeError(`timeScale must be positive, got ${options.timeScale}`);
  if (!(options.rate >= 0)) throw new RangeError(`rate must be 0 (unthrottled) or positive, got ${options.rate}`);

  const start = clock.now();
  const labels = new LabelQueue();
  const unacknowledged = new Set<Promise<void>>();
  const perModel = new Map<string, { stats: Omit<ModelStats, 'quality'>; before: QualityTally; after: QualityTally }>();
  for (const modelId of options.models) {
    perModel.set(modelId, {
      stats: { predictions: 0, labels: 0, labelsWithheld: 0, malformed: 0, deployments: [] },
      before: new QualityTally(),
      after: new QualityTally(),
    });
  }
  const totals = { predictions: 0, labels: 0, malformed: 0, deployments: 0, labelsWithheld: 0, sendErrors: 0 };
  let firstSendError: string | null = null;
  let labelSequence = 0;
  let lastProgress = start;

  const track = (sent: Promise<unknown>) => {
    const settled: Promise<void> = sent.then(
      () => undefined,
      (error: unknown) => {
        totals.sendErrors += 1;
        firstSendError ??= error instanceof Error ? error.message : String(error);
      },
    );
    unacknowledged.add(settled);
    void settled.then(() => unacknowledged.delete(settled));
  };
  const settle = async () => {
    await Promise.all([...unacknowledged]);
  };
  const progress = (): SimulationProgress => ({
    elapsedS: (clock.now() - start) / 1000,
    predictions: totals.predictions,
    labels: totals.labels,
    malformed: totals.malformed,
    deployments: totals.deployments,
    pendingLabels: labels.size,
  });
  const report = () => {
    if (hooks.onProgress && clock.now() - lastProgress >= options.progressIntervalMs) {
      lastProgress = clock.now();
      hooks.onProgress(progress());
    }
  };
  const sendLabel = (label: ScheduledLabel) => {
    totals.labels += 1;
    perModel.get(label.input.modelId)!.stats.labels += 1;
    track(sdk.recordLabel(label.input));
  };
  /** Sends every label due by `until`, sleeping between them; then sleeps until `until`. */
  const releaseLabelsUntil = async (until: number) => {
    for (let next = labels.peek(); next && next.due <= until; next = labels.peek()) {
      if (next.due > clock.now()) await clock.sleep(next.due - clock.now());
      sendLabel(labels.pop()!);
      report();
    }
    if (Number.isFinite(until) && until > clock.now()) await clock.sleep(until - clock.now());
  };
  const aborted = () => hooks.signal?.aborted === true;

  for (const step of generateTraffic(options)) {
    if (aborted()) break;
    if (step.kind === 'deployment') {
      totals.deployments += 1;
      perModel.get(step.deployment.modelId)!.stats.deployments.push(step.deployment.version);
      // The deployment must be on the topic before the new version's first prediction.
      track(sdk.recordModelDeployed(step.deployment));
      await sdk.flush().catch(() => undefined);
      continue;
    }
    await releaseLabelsUntil(options.rate > 0 ? start + (step.index * 1000) / options.rate : clock.now());
    const model = perModel.get(step.prediction.modelId)!;
    if (step.kind === 'malformed') {
      totals.malformed += 1;
      model.stats.malformed += 1;
      track(hooks.malformed!.send(step.malformed, step.prediction));
    } else {
      totals.predictions += 1;
      model.stats.predictions += 1;
      (step.progress >= options.scenario.changeAt ? model.after : model.before).add(step.correct, step.absoluteError);
      track(sdk.recordPrediction(step.prediction));
      if (step.label) {
        labels.push({
          due: clock.now() + (step.label.delayS * 1000) / options.timeScale,
          sequence: labelSequence++,
          input: {
            eventId: step.label.eventId,
            predictionEventId: step.prediction.eventId,
            modelId: step.prediction.modelId,
            trueClass: step.label.trueClass,
            trueValue: step.label.trueValue,
          },
        });
      } else {
        totals.labelsWithheld += 1;
        model.stats.labelsWithheld += 1;
      }
    }
    report();
    if (unacknowledged.size >= MAX_UNACKNOWLEDGED) await settle();
  }

  while (labels.size > 0 && !aborted()) {
    await releaseLabelsUntil(labels.peek()!.due);
    if (unacknowledged.size >= MAX_UNACKNOWLEDGED) await settle();
  }
  const labelsAbandoned = labels.size;
  await settle();
  await sdk.flush().catch(() => undefined);

  const models: Record<string, ModelStats> = {};
  for (const [modelId, m] of perModel) {
    models[modelId] = { ...m.stats, quality: { before: m.before.summary(), after: m.after.summary() } };
  }
  return { ...progress(), pendingLabels: labelsAbandoned, labelsWithheld: totals.labelsWithheld, labelsAbandoned, sendErrors: totals.sendErrors, firstSendError, models };
}
