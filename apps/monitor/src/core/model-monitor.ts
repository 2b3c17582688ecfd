/**
 * The live monitor of ONE model, as a pure state machine: events in (`onPrediction`,
 * `onLabel`), time in (`tick(now)` paces snapshots; the injected clock paces repeated
 * alerts and stamps them), snapshots and alerts out. No Kafka, no ClickHouse: the service
 * feeds it, publishes what `tick` returns and checkpoints `toJSON()`.
 *
 * Per (version) and per (version, segment tag = value) group it keeps cumulative counts, a
 * rolling window of the last `metricWindow` labelled predictions (accuracy, F1 / MAE, RMSE,
 * updated on every label) and latency quantiles since the last snapshot. Per version it
 * also keeps the drift / data-quality window against the model's reference and a change
 * detector on the per-prediction error stream (0/1 for classification, |error| for
 * regression), and for scored classifications a CBPE estimate of the performance that
 * needs no labels (calibrated on the version's first labelled predictions). The rules that
 * judge them are the classes of `rules/`.
 */
import { ValidationError } from '@vigil/common';
import type { Alert, LabelEvent, MetricSnapshot, PredictionEvent, Task } from '@vigil/contracts';
import { DatasetSummary, DatasetSummaryJSON, DetectorConfigError, DriftCalibration, LabelJoin, LatencySketch } from '@vigil/monitoring';
import { AlertOutbox } from './alert-outbox';
import type { Clock, IdSource } from './clock';
import { DriftWindows } from './drift-windows';
import { estimatedSnapshotMetrics } from './estimated-performance';
import { checkModelConfig, ModelConfig } from './model-config';
import { MonitorGroups } from './monitor-groups';
import { MonitorVersions } from './monitor-versions';
import type { GroupState, JoinLabel, ModelMonitorState, PendingPrediction, VersionState } from './monitor-state';
import { PREDICTION_COLUMN, predictionInputProblem } from './prediction-input';
import { finiteOnly, LabelledObservation } from './rolling-performance';
import { firstFullWindow, headlineMetric } from './rules/performance';
import type { RuleVerdict } from './rules/rule';
import { MonitorRules } from './rules/monitor-rules';

/** The drift column holding the model's output (re-exported for the service and the controller). */
export { PREDICTION_COLUMN };
export type { ModelMonitorState };

export interface ModelMonitorOptions {
  /** Wall-clock interval between snapshots of a changed group. */
  snapshotIntervalMs: number;
  clock: Clock;
  ids: IdSource;
}

export interface MonitorOutput {
  snapshots: MetricSnapshot[];
  alerts: Alert[];
}

/** Current metrics of one group, as served by GET /models/:modelId/metrics. */
export interface GroupMetrics {
  modelVersion: string;
  segmentKey: string;
  segmentValue: string;
  predictionCount: number;
  labelledCount: number;
  metrics: Record<string, number>;
}

export class ModelMonitor {
  private task: Task | null = null;
  /**
   * Latest prediction event time. Label-join expiry follows it alone: an early label must
   * wait until the prediction stream has passed it, however far ahead the label topic is
   * read (on replay a whole partition of labels can come before its predictions).
   */
  private predictionWatermark = 0;
  private invalidLabels = 0;
  private invalidPredictions = 0;
  private readonly groups: MonitorGroups;
  private readonly versions: MonitorVersions;
  private readonly drift: DriftWindows;
  private readonly join: LabelJoin<PendingPrediction, JoinLabel>;
  private readonly outbox: AlertOutbox;
  private lastSnapshotAt = 0;
  /** Why the configured detector cannot run for this model (e.g. DDM on a regression's |error|); null when it can. */
  private detectorProblem: string | null = null;
  private rules!: MonitorRules;

  constructor(
    readonly modelId: string,
    private config: ModelConfig,
    private readonly options: ModelMonitorOptions,
  ) {
    this.join = new LabelJoin({ lookbackMs: config.labelLookbackMs, maxPendingPerModel: config.maxPendingPredictions });
    this.checkDetector();
    this.groups = new MonitorGroups(modelId, config.maxGroups, () => ({ task: this.task, metricWindow: this.config.metricWindow, segmentTags: this.config.segmentTags }));
    this.versions = new MonitorVersions(
      () => ({ config: this.config, detectorProblem: this.detectorProblem }),
      (v) => this.drift.restart(v),
    );
    this.drift = new DriftWindows(
      () => this.config,
      () => this.versions.values(),
    );
    this.outbox = new AlertOutbox(modelId, options.clock, options.ids);
  }

  get currentConfig(): ModelConfig {
    return this.config;
  }

  /** The task of the model's predictions so far (null before the first). */
  get modelTask(): Task | null {
    return this.task;
  }

  /**
   * A configuration whose detector cannot run for this model (stored before an upgrade, or
   * the task learnt later) disables the detector, with a `detector_disabled` alert, instead
   * of failing on every event.
   */
  private checkDetector(): void {
    try {
      checkModelConfig(this.config, this.task);
      this.detectorProblem = null;
    } catch (error) {
      if (!(error instanceof DetectorConfigError)) throw error;
      this.detectorProblem = error.message;
    }
    this.rules = new MonitorRules(this.config, this.detectorProblem);
  }

  setConfig(config: ModelConfig): void {
    const before = this.config;
    const detectorChanged = config.detector !== before.detector || JSON.stringify(config.detectorParams) !== JSON.stringify(before.detectorParams);
    const estimationChanged = (['estimationReferenceSize', 'estimationWindow', 'calibration'] as const).some((field) => config[field] !== before[field]);
    this.config = config;
    this.checkDetector();
    for (const g of this.groups.all()) g.window.resize(config.metricWindow);
    if (detectorChanged) this.versions.rebuildDetectors();
    if (estimationChanged) this.versions.restartEstimation();
  }

  /** A registered training snapshot replaces the production warm-up as the drift reference. */
  setReference(reference: DatasetSummary): void {
    this.drift.setReference(reference);
  }

  /**
   * Counts the prediction, or throws a ValidationError naming the field when it is not a
   * valid input of this model's engine (nothing is changed then: the caller dead-letters it).
   * A prediction whose id is still pending or was joined within the lookback is a
   * duplicate: counted as such, nothing else (as the join does for labels).
   */
  onPrediction(p: PredictionEvent): void {
    const problem = predictionInputProblem(p, this.task, this.drift.kinds);
    if (problem) {
      this.invalidPredictions += 1;
      throw new ValidationError(problem.field, problem.message);
    }
    const time = p.eventTime.getTime();
    if (this.join.isDuplicatePrediction({ eventId: p.eventId, model: this.modelId, time })) return;
    if (this.task === null) {
      this.task = p.task;
      this.checkDetector();
    }
    const predicted = (p.task === 'CLASSIFICATION' ? p.predictedClass : p.predictedValue)!;
    this.predictionWatermark = Math.max(this.predictionWatermark, time);
    for (const g of this.groups.of(p.modelVersion, p.tags)) {
      g.predictions += 1;
      g.firstTime = Math.min(g.firstTime, time);
      g.lastTime = Math.max(g.lastTime, time);
      if (Number.isFinite(p.latencyMs) && p.latencyMs >= 0) g.latency.add(p.latencyMs);
      g.dirty = true;
    }
    const closed = this.drift.observe(p, predicted, time, this.task, (version) => this.versions.get(version));
    if (closed) {
      const { version: v, drift, quality, window } = closed;
      this.decide(v, this.rules.datasetDrift.evaluate({ drift, window, streak: v.driftStreak }, window.end));
      this.decide(v, this.rules.dataQuality.evaluate({ quality, window, streak: v.qualityStreak }, window.end));
      this.drift.restart(v);
    }
    const scores = this.estimate(p, time);
    this.addPending({ eventId: p.eventId, model: this.modelId, time, version: p.modelVersion, predicted, tags: p.tags, ...(scores && { scores }) });
  }

  /** Feeds a scored classification to its version's CBPE estimate; returns the scores when its label must still calibrate it. */
  private estimate(p: PredictionEvent, time: number): Record<string, number> | null {
    // CBPE needs a score per class, of two classes at least.
    if (p.task !== 'CLASSIFICATION' || Object.keys(p.scores).length < 2) return null;
    const v = this.versions.get(p.modelVersion);
    const estimate = v.estimation.observePrediction({ scores: p.scores, predictedClass: p.predictedClass as string, time });
    if (estimate) this.decide(v, this.rules.estimatedAccuracy.evaluate(v.estimation.state(), estimate.windowEnd));
    return v.estimation.calibrating ? p.scores : null;
  }

  private addPending(pending: PendingPrediction): void {
    const joined = this.join.addPrediction(pending);
    if (joined) this.applyLabel(joined.prediction, joined.label);
  }

  /** Returns true when the label resolved a known prediction now (metrics already updated). */
  onLabel(l: LabelEvent): boolean {
    const time = l.eventTime.getTime();
    const joined = this.join.addLabel({ eventId: l.predictionEventId, model: this.modelId, time, trueClass: l.trueClass, trueValue: l.trueValue });
    if (!joined) return false;
    this.applyLabel(joined.prediction, joined.label);
    return true;
  }

  private applyLabel(prediction: PendingPrediction, label: JoinLabel): void {
    // The task is known here: a label is only scored once its prediction came.
    const actual = this.task === 'REGRESSION' ? label.trueValue : label.trueClass;
    if (actual === null) {
      this.invalidLabels += 1;
      return;
    }
    const observation: LabelledObservation = [prediction.predicted, actual, prediction.time];
    for (const g of this.groups.of(prediction.version, prediction.tags)) {
      g.labelled += 1;
      g.window.add(observation);
      g.dirty = true;
    }
    const v = this.versions.get(prediction.version);
    if (prediction.scores) v.estimation.observeLabelled({ scores: prediction.scores, predictedClass: String(prediction.predicted), time: prediction.time }, String(actual));
    const error = this.task === 'CLASSIFICATION' ? (prediction.predicted === actual ? 0 : 1) : Math.abs(Number(prediction.predicted) - Number(actual));
    this.versions.addError(v, error, prediction.time);
    const window = this.groups.version(v.version).window;
    v.baseline ??= firstFullWindow(window, this.config);
    const performance = { task: this.task, window, baseline: v.baseline };
    this.decide(v, this.rules.floor.evaluate(performance, label.time));
    this.decide(v, this.rules.drop.evaluate(performance, label.time));
    this.decide(v, this.rules.detector.evaluate(v, label.time));
  }

  private decide(v: VersionState, verdicts: RuleVerdict[]): void {
    for (const verdict of verdicts) this.outbox.offer({ version: v.version, episodes: v.episodes, verdict });
  }

  /** Expires labels and predictions, publishes due snapshots, and hands over the alerts raised since the last tick. */
  tick(now: number): MonitorOutput {
    this.join.expire(this.predictionWatermark);
    const snapshots: MetricSnapshot[] = [];
    if (now - this.lastSnapshotAt >= this.options.snapshotIntervalMs) {
      this.lastSnapshotAt = now;
      for (const g of this.groups.all()) {
        if (!g.dirty) continue;
        const snapshot = this.snapshotOf(g);
        if (g.segmentKey === '') {
          const latency = { p99: snapshot.metrics.latency_p99, count: snapshot.metrics.latency_count, firstTime: g.firstTime, lastTime: g.lastTime };
          this.decide(this.versions.get(g.version), this.rules.latency.evaluate(latency, g.lastTime));
        }
        snapshots.push(snapshot);
        g.latency = new LatencySketch();
        g.dirty = false;
      }
    }
    return { snapshots, alerts: this.outbox.drain() };
  }

  /** The model's metrics right now (every label is already counted). */
  currentMetrics(): {
    modelId: string;
    task: Task | null;
    /** `driftCalibration`: the false-alarm budget's α and how it was found (only with a budget, once the first window was tested). */
    reference: { source: string | null; rows: number; driftCalibration?: Pick<DriftCalibration, 'alpha' | 'method' | 'bootstrapAlertsPerDay'> };
    predictions: { duplicate: number };
    labels: Record<string, number>;
    groups: GroupMetrics[];
  } {
    const stats = this.join.stats(this.modelId);
    const calibration = this.drift.driftCalibration();
    return {
      modelId: this.modelId,
      task: this.task,
      reference: {
        source: this.drift.referenceSource,
        rows: this.drift.referenceRows(),
        ...(calibration ? { driftCalibration: { alpha: calibration.alpha, method: calibration.method, bootstrapAlertsPerDay: calibration.bootstrapAlertsPerDay } } : {}),
      },
      predictions: { duplicate: stats.duplicatePredictions },
      labels: { ...this.labelCounters(), joined: stats.joined, pendingPredictions: stats.pending },
      groups: [...this.groups.all()].map((g) => ({
        modelVersion: g.version,
        segmentKey: g.segmentKey,
        segmentValue: g.segmentValue,
        predictionCount: g.predictions,
        labelledCount: g.labelled,
        metrics: this.metricsOf(g),
      })),
    };
  }

  /** Labels read before their prediction, still waiting for it (the service's flow control watches this). */
  waitingLabels(): number {
    return this.join.stats(this.modelId).pendingLabels;
  }

  /** Labels that cannot be scored: unknown prediction id (after the early-label TTL), duplicates, or no ground-truth value. */
  private labelCounters(): Record<string, number> {
    const s = this.join.stats(this.modelId);
    return {
      unknown: s.expiredEarlyLabels + s.evictedEarlyLabels,
      waiting: s.pendingLabels,
      duplicate: s.duplicateLabels,
      invalid: this.invalidLabels,
      invalidPredictions: this.invalidPredictions,
      groupsRefused: this.groups.refused,
    };
  }

  private metricsOf(g: GroupState): Record<string, number> {
    const metrics: Record<string, number> = { ...g.window.metrics() };
    if (g.latency.count > 0) {
      const l = g.latency.summary();
      Object.assign(metrics, { latency_p50: l.p50, latency_p95: l.p95, latency_p99: l.p99, latency_count: l.count });
    }
    if (g.segmentKey === '') {
      const v = this.versions.find(g.version);
      if (v?.lastDrift) Object.assign(metrics, v.lastDrift.metrics);
      if (v?.baseline) metrics[`baseline_${headlineMetric(this.task)}`] = v.baseline.value;
      const estimated = v?.estimation.latestMetrics();
      if (estimated) Object.assign(metrics, estimatedSnapshotMetrics(estimated));
      const counters = this.labelCounters();
      metrics.labels_unknown = counters.unknown;
      metrics.labels_duplicate = counters.duplicate;
      metrics.predictions_duplicate = this.join.stats(this.modelId).duplicatePredictions;
    }
    return finiteOnly(metrics);
  }

  private snapshotOf(g: GroupState): MetricSnapshot {
    const start = g.window.count > 0 ? g.window.oldestTime : g.firstTime;
    return {
      eventId: this.options.ids.next(),
      modelId: this.modelId,
      modelVersion: g.version,
      segmentKey: g.segmentKey,
      segmentValue: g.segmentValue,
      windowStart: new Date(Math.min(start, g.lastTime)),
      windowEnd: new Date(g.lastTime),
      predictionCount: g.predictions,
      labelledCount: g.labelled,
      metrics: this.metricsOf(g),
    };
  }

  /** Rules with an open episode, per version (for the API and tests). */
  openEpisodes(): Record<string, string[]> {
    return this.versions.openEpisodes();
  }

  // ---- checkpoint ----------------------------------------------------------

  /** The whole state, the drift reference inline. */
  toJSON(): ModelMonitorState {
    return this.state(false);
  }

  /**
   * What the checkpointer writes: the state with its drift reference named by content id
   * (`referenceId`), and the reference itself, which is stored once per content. The
   * summary is serialised only when asked for, i.e. when that content is not stored yet.
   */
  toCheckpoint(): { state: ModelMonitorState; reference: { id: string; summary: () => DatasetSummaryJSON } | null } {
    const state = this.state(true);
    const reference = this.drift.currentReference();
    return { state, reference: reference && state.referenceId ? { id: state.referenceId, summary: () => reference.toJSON() } : null };
  }

  private state(referenceApart: boolean): ModelMonitorState {
    return {
      format: 1,
      modelId: this.modelId,
      task: this.task,
      ...this.drift.referenceToJSON(referenceApart),
      predictionWatermark: this.predictionWatermark,
      invalidLabels: this.invalidLabels,
      invalidPredictions: this.invalidPredictions,
      groups: this.groups.toJSON(),
      versions: this.versions.toJSON(),
      pending: this.join.pendingPredictions(this.modelId),
      early: this.join.earlyLabels(this.modelId),
    };
  }

  /**
   * Rebuilds a monitor from a checkpoint, latency sketches of the current snapshot interval
   * included; the change detector is rebuilt by replaying the kept errors (DETECTOR_REPLAY);
   * predictions and labels waiting in the join are restored; label-join duplicates of labels
   * joined before the checkpoint are no longer recognised (they wait as unknown labels until
   * their TTL).
   */
  static fromJSON(state: ModelMonitorState, config: ModelConfig, options: ModelMonitorOptions): ModelMonitor {
    const m = new ModelMonitor(state.modelId, config, options);
    m.task = state.task;
    m.checkDetector();
    m.drift.restoreReference(state);
    m.predictionWatermark = state.predictionWatermark;
    m.invalidLabels = state.invalidLabels;
    m.invalidPredictions = state.invalidPredictions;
    m.groups.restore(state.groups, state.task ?? 'CLASSIFICATION', config.metricWindow);
    m.versions.restore(state.versions, m.drift.kinds);
    for (const p of state.pending) m.addPending(p);
    for (const l of state.early ?? []) m.join.addLabel(l);
    return m;
  }
}
