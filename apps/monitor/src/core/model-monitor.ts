// Over 400 lines with a reason: the rule families still live here; splitting them into one
// class each is the architecture issue's refactor (new checks go in small files beside it).
/**
 * The live monitor of ONE model, as a pure state machine: events in (`onPrediction`,
 * `onLabel`), time in (`tick(now)`), snapshots and alerts out. No Kafka, no ClickHouse:
 * the service feeds it, publishes what `tick` returns and checkpoints `toJSON()`.
 *
 * Per (version) and per (version, segment tag = value) group it keeps cumulative counts, a
 * rolling window of the last `metricWindow` labelled predictions (accuracy, F1 / MAE, RMSE,
 * updated on every label) and latency quantiles since the last snapshot. Per version it
 * also keeps the drift / data-quality window against the model's reference and a change
 * detector on the per-prediction error stream (0/1 for classification, |error| for
 * regression).
 */
import { randomUUID } from 'node:crypto';
import { ValidationError } from '@vigil/common';
import type { Alert, AlertRule, Evidence, LabelEvent, MetricSnapshot, PredictionEvent, Task } from '@vigil/contracts';
import { ALERT_RULES, detectorRule, severityOf } from '@vigil/contracts';
import {
  ChangeDetector,
  KeyedGroups,
  ColumnKind,
  computeDataQuality,
  computeDatasetDrift,
  createDetector,
  DatasetSummary,
  DetectorConfigError,
  DatasetSummaryJSON,
  LabelJoin,
  LatencySketch,
  LatencySketchJSON,
} from '@vigil/monitoring';
import { AlertEpisodes, EpisodeState } from './alert-episodes';
import { checkModelConfig, ModelConfig } from './model-config';
import { PREDICTION_COLUMN, predictionInputProblem } from './prediction-input';
import { finiteOnly, LabelledObservation, RollingPerformance } from './rolling-performance';

/** The drift column holding the model's output (re-exported for the service and the controller). */
export { PREDICTION_COLUMN };
/** Error values kept per version to rebuild the change detector after a restore. */
export const DETECTOR_REPLAY = 1000;
/** Errors compared with the older ones to tell a worsening from an improvement when the detector fires. */
const DETECTOR_RECENT = 100;

export interface ModelMonitorOptions {
  /** Wall-clock interval between snapshots of a changed group. */
  snapshotIntervalMs: number;
}

export interface MonitorOutput {
  snapshots: MetricSnapshot[];
  alerts: Alert[];
}

/** What the label join keeps of a prediction until its label comes. */
interface PendingPrediction {
  eventId: string;
  model: string;
  time: number;
  version: string;
  predicted: string | number;
  tags: Record<string, string>;
}

interface JoinLabel {
  eventId: string;
  model: string;
  time: number;
  trueClass: string | null;
  trueValue: number | null;
}

interface GroupState {
  version: string;
  segmentKey: string;
  segmentValue: string;
  predictions: number;
  labelled: number;
  firstTime: number;
  lastTime: number;
  window: RollingPerformance;
  latency: LatencySketch;
  dirty: boolean;
}

interface Baseline {
  value: number;
  sampleSize: number;
  windowStart: number;
  windowEnd: number;
}

interface DriftOutcome {
  metrics: Record<string, number>;
  windowStart: number;
  windowEnd: number;
  rows: number;
}

interface VersionState {
  version: string;
  /** Null while the configured detector cannot run (see `detectorProblem`). */
  detector: ChangeDetector | null;
  /** [error, prediction time] of the latest errors, oldest first. */
  errors: [number, number][];
  labels: number;
  lastWorseningAt: number | null;
  baseline: Baseline | null;
  drift: DatasetSummary | null;
  driftRows: number;
  driftStart: number;
  driftEnd: number;
  lastDrift: DriftOutcome | null;
  /** Consecutive drift windows with dataset drift / with a data-quality breach. */
  driftStreak: number;
  qualityStreak: number;
  episodes: AlertEpisodes;
}

export interface ModelMonitorState {
  format: 1;
  modelId: string;
  task: Task | null;
  kinds: Record<string, ColumnKind> | null;
  reference: DatasetSummaryJSON | null;
  referenceSource: 'production' | 'registered' | null;
  warmup: DatasetSummaryJSON | null;
  warmupRows: number;
  predictionWatermark: number;
  invalidLabels: number;
  invalidPredictions: number;
  groups: {
    version: string;
    segmentKey: string;
    segmentValue: string;
    predictions: number;
    labelled: number;
    firstTime: number;
    lastTime: number;
    window: LabelledObservation[];
    /** Latencies since the group's last snapshot (absent in checkpoints written before it was added). */
    latency?: LatencySketchJSON;
  }[];
  versions: {
    version: string;
    errors: [number, number][];
    labels: number;
    lastWorseningAt: number | null;
    baseline: Baseline | null;
    drift: DatasetSummaryJSON | null;
    driftRows: number;
    driftStart: number;
    driftEnd: number;
    lastDrift: DriftOutcome | null;
    driftStreak: number;
    qualityStreak: number;
    episodes: Record<string, EpisodeState>;
  }[];
  pending: PendingPrediction[];
  /**
   * Labels read before their prediction. Their offsets are committed with the checkpoint,
   * so they must be in it. Absent in checkpoints written before it was added.
   */
  early?: JoinLabel[];
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
  private kinds: Record<string, ColumnKind> | null = null;
  private reference: DatasetSummary | null = null;
  private referenceSource: 'production' | 'registered' | null = null;
  private warmup: DatasetSummary | null = null;
  private warmupRows = 0;
  /**
   * Latest prediction event time. Label-join expiry follows it alone: an early label must
   * wait until the prediction stream has passed it, however far ahead the label topic is
   * read (on replay a whole partition of labels can come before its predictions).
   */
  private predictionWatermark = 0;
  private invalidLabels = 0;
  private invalidPredictions = 0;
  /** Version-level groups are always kept; segment groups are bounded by `maxGroups` (refusals counted). */
  private readonly versionGroups = new Map<string, GroupState>();
  private readonly segmentGroups: KeyedGroups<GroupState>;
  private readonly versions = new Map<string, VersionState>();
  private join: LabelJoin<PendingPrediction, JoinLabel>;
  /** Mirror of the join's pending predictions, in arrival order, so a checkpoint can carry them. */
  private readonly pending = new Map<string, PendingPrediction>();
  private outbox: Alert[] = [];
  private lastSnapshotAt = 0;
  /** Why the configured detector cannot run for this model (e.g. DDM on a regression's |error|); null when it can. */
  private detectorProblem: string | null = null;

  constructor(
    readonly modelId: string,
    private config: ModelConfig,
    private readonly options: ModelMonitorOptions,
  ) {
    this.join = this.newJoin();
    this.checkDetector();
    this.segmentGroups = new KeyedGroups((key) => this.newGroup(key.version!, key.segment!.tag, key.segment!.value), config.maxGroups);
  }

  private *groups(): IterableIterator<GroupState> {
    yield* this.versionGroups.values();
    for (const [, g] of this.segmentGroups.entries()) yield g;
  }

  private newJoin(): LabelJoin<PendingPrediction, JoinLabel> {
    return new LabelJoin({ lookbackMs: this.config.labelLookbackMs, maxPendingPerModel: this.config.maxPendingPredictions });
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
  }

  setConfig(config: ModelConfig): void {
    const detectorChanged =
      config.detector !== this.config.detector || JSON.stringify(config.detectorParams) !== JSON.stringify(this.config.detectorParams);
    this.config = config;
    this.checkDetector();
    for (const g of this.groups()) g.window.resize(config.metricWindow);
    if (detectorChanged) for (const v of this.versions.values()) v.detector = this.rebuildDetector(v.errors);
  }

  /** A registered training snapshot replaces the production warm-up as the drift reference. */
  setReference(reference: DatasetSummary): void {
    this.reference = reference;
    this.referenceSource = 'registered';
    this.kinds = Object.fromEntries(Object.entries(reference.columns).map(([name, c]) => [name, c.kind]));
    this.warmup = null;
    for (const v of this.versions.values()) this.restartDriftWindow(v);
  }

  /**
   * Counts the prediction, or throws a ValidationError naming the field when it is not a
   * valid input of this model's engine (nothing is changed then: the caller dead-letters it).
   * A prediction whose id is still pending or was joined within the lookback is a
   * duplicate: counted as such, nothing else (as the join does for labels).
   */
  onPrediction(p: PredictionEvent): void {
    const problem = predictionInputProblem(p, this.task, this.kinds);
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
    for (const g of this.groupsOf(p.modelVersion, p.tags)) {
      g.predictions += 1;
      g.firstTime = Math.min(g.firstTime, time);
      g.lastTime = Math.max(g.lastTime, time);
      if (Number.isFinite(p.latencyMs) && p.latencyMs >= 0) g.latency.add(p.latencyMs);
      g.dirty = true;
    }
    this.observeDrift(p, predicted, time);
    const pending: PendingPrediction = { eventId: p.eventId, model: this.modelId, time, version: p.modelVersion, predicted, tags: p.tags };
    this.addPending(pending);
  }

  private addPending(pending: PendingPrediction): void {
    const duplicatesBefore = this.join.stats(this.modelId).duplicatePredictions;
    const joined = this.join.addPrediction(pending);
    if (joined) {
      this.applyLabel(joined.prediction, joined.label);
      return;
    }
    if (this.join.stats(this.modelId).duplicatePredictions > duplicatesBefore) return;
    this.pending.set(pending.eventId, pending);
    // The join evicts its oldest pending prediction at the same bound, in the same order.
    while (this.pending.size > this.config.maxPendingPredictions) {
      this.pending.delete(this.pending.keys().next().value as string);
    }
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
    this.pending.delete(prediction.eventId);
    // The task is known here: a label is only scored once its prediction came.
    const actual = this.task === 'REGRESSION' ? label.trueValue : label.trueClass;
    if (actual === null) {
      this.invalidLabels += 1;
      return;
    }
    const observation: LabelledObservation = [prediction.predicted, actual, prediction.time];
    for (const g of this.groupsOf(prediction.version, prediction.tags)) {
      g.labelled += 1;
      g.window.add(observation);
      g.dirty = true;
    }
    const v = this.versionState(prediction.version);
    const error =
      this.task === 'CLASSIFICATION' ? (prediction.predicted === actual ? 0 : 1) : Math.abs(Number(prediction.predicted) - Number(actual));
    v.labels += 1;
    v.errors.push([error, prediction.time]);
    if (v.errors.length > DETECTOR_REPLAY) v.errors.shift();
    v.detector?.update(error);
    this.evaluatePerformance(v, label.time);
    this.evaluateDetector(v, label.time);
  }

  /** Expires labels and predictions, publishes due snapshots, and hands over the alerts raised since the last tick. */
  tick(now: number): MonitorOutput {
    for (const expired of this.join.expire(this.predictionWatermark)) this.pending.delete(expired.eventId);
    const snapshots: MetricSnapshot[] = [];
    if (now - this.lastSnapshotAt >= this.options.snapshotIntervalMs) {
      this.lastSnapshotAt = now;
      for (const g of this.groups()) {
        if (!g.dirty) continue;
        const snapshot = this.snapshotOf(g);
        if (g.segmentKey === '') this.evaluateLatency(this.versionState(g.version), g, snapshot.metrics);
        snapshots.push(snapshot);
        g.latency = new LatencySketch();
        g.dirty = false;
      }
    }
    const alerts = this.outbox;
    this.outbox = [];
    return { snapshots, alerts };
  }

  /** The model's metrics right now (every label is already counted). */
  currentMetrics(): {
    modelId: string;
    task: Task | null;
    reference: { source: string | null; rows: number };
    predictions: { duplicate: number };
    labels: Record<string, number>;
    groups: GroupMetrics[];
  } {
    const stats = this.join.stats(this.modelId);
    return {
      modelId: this.modelId,
      task: this.task,
      reference: { source: this.referenceSource, rows: this.referenceRows() },
      predictions: { duplicate: stats.duplicatePredictions },
      labels: { ...this.labelCounters(), joined: stats.joined, pendingPredictions: stats.pending },
      groups: [...this.groups()].map((g) => ({
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
      groupsRefused: this.segmentGroups.rejected,
    };
  }

  private referenceRows(): number {
    if (!this.reference) return 0;
    return Math.max(0, ...Object.values(this.reference.columns).map((c) => c.rows));
  }

  // ---- groups -------------------------------------------------------------

  private groupsOf(version: string, tags: Record<string, string>): GroupState[] {
    const out = [this.versionGroup(version)];
    const tagNames = this.config.segmentTags ?? Object.keys(tags).sort();
    for (const tag of tagNames) {
      if (!Object.hasOwn(tags, tag)) continue;
      const value = tags[tag];
      const g = this.segmentGroups.get({ model: this.modelId, version, segment: { tag, value } });
      if (g) out.push(g);
    }
    return out;
  }

  private versionGroup(version: string): GroupState {
    let g = this.versionGroups.get(version);
    if (!g) {
      g = this.newGroup(version, '', '');
      this.versionGroups.set(version, g);
    }
    return g;
  }

  private newGroup(version: string, segmentKey: string, segmentValue: string): GroupState {
    return {
      version,
      segmentKey,
      segmentValue,
      predictions: 0,
      labelled: 0,
      firstTime: Infinity,
      lastTime: -Infinity,
      window: new RollingPerformance(this.task ?? 'CLASSIFICATION', this.config.metricWindow),
      latency: new LatencySketch(),
      dirty: false,
    };
  }

  private versionState(version: string): VersionState {
    let v = this.versions.get(version);
    if (!v) {
      v = {
        version,
        detector: this.rebuildDetector([]),
        errors: [],
        labels: 0,
        lastWorseningAt: null,
        baseline: null,
        drift: null,
        driftRows: 0,
        driftStart: Infinity,
        driftEnd: -Infinity,
        lastDrift: null,
        driftStreak: 0,
        qualityStreak: 0,
        episodes: new AlertEpisodes(() => this.config.reAlertIntervalMs),
      };
      this.restartDriftWindow(v);
      this.versions.set(version, v);
    }
    return v;
  }

  private rebuildDetector(errors: [number, number][]): ChangeDetector | null {
    if (this.detectorProblem !== null) return null;
    const detector = createDetector(this.config.detector, this.config.detectorParams);
    for (const [e] of errors) detector.update(e);
    return detector;
  }

  private metricsOf(g: GroupState): Record<string, number> {
    const metrics: Record<string, number> = { ...g.window.metrics() };
    if (g.latency.count > 0) {
      const l = g.latency.summary();
      Object.assign(metrics, { latency_p50: l.p50, latency_p95: l.p95, latency_p99: l.p99, latency_count: l.count });
    }
    if (g.segmentKey === '') {
      const v = this.versions.get(g.version);
      if (v?.lastDrift) Object.assign(metrics, v.lastDrift.metrics);
      if (v?.baseline) metrics[this.task === 'REGRESSION' ? 'baseline_mae' : 'baseline_accuracy'] = v.baseline.value;
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
      eventId: randomUUID(),
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

  // ---- drift and data quality --------------------------------------------

  private observeDrift(p: PredictionEvent, predicted: string | number, time: number): void {
    const row: Record<string, unknown> = { ...p.numericFeatures, ...p.categoricalFeatures, [PREDICTION_COLUMN]: predicted };
    if (!this.reference) {
      if (!this.kinds) {
        // Null prototype: a feature named `__proto__` is assigned like any other name.
        const kinds = Object.create(null) as Record<string, ColumnKind>;
        kinds[PREDICTION_COLUMN] = this.task === 'REGRESSION' ? 'numeric' : 'categorical';
        for (const name of Object.keys(p.numericFeatures)) kinds[name] = 'numeric';
        for (const name of Object.keys(p.categoricalFeatures)) kinds[name] = 'categorical';
        this.kinds = kinds;
      }
      this.warmup ??= new DatasetSummary(this.kinds);
      this.warmup.addRow(row);
      this.warmupRows += 1;
      if (this.warmupRows >= this.config.referenceSize) {
        this.reference = this.warmup;
        this.referenceSource = 'production';
        this.warmup = null;
        for (const v of this.versions.values()) this.restartDriftWindow(v);
      }
      return;
    }
    const v = this.versionState(p.modelVersion);
    v.drift!.addRow(row);
    v.driftRows += 1;
    v.driftStart = Math.min(v.driftStart, time);
    v.driftEnd = Math.max(v.driftEnd, time);
    if (v.driftRows >= this.config.driftWindow) this.evaluateDrift(v);
  }

  private restartDriftWindow(v: VersionState): void {
    v.drift = this.kinds ? new DatasetSummary(this.kinds) : null;
    v.driftRows = 0;
    v.driftStart = Infinity;
    v.driftEnd = -Infinity;
  }

  private evaluateDrift(v: VersionState): void {
    const reference = this.reference!.columns;
    const current = v.drift!.columns;
    const drift = computeDatasetDrift(reference, current, { driftShareThreshold: this.config.driftShareThreshold });
    const quality = computeDataQuality(reference, current);
    const window = { start: v.driftStart, end: v.driftEnd, rows: v.driftRows };
    const metrics: Record<string, number> = {
      'drift.share': drift.shareOfDriftedColumns,
      'drift.drifted_columns': drift.numberOfDriftedColumns,
      'quality.breached_columns': quality.numberOfBreachedColumns,
    };
    for (const c of drift.columns) {
      if (c.statistic !== null) metrics[`drift.${c.column}`] = c.statistic;
      if (c.pValue !== null) metrics[`drift.${c.column}.p_value`] = c.pValue;
    }
    v.lastDrift = { metrics: finiteOnly(metrics), windowStart: window.start, windowEnd: window.end, rows: window.rows };
    const evidenceBase = { windowStart: new Date(window.start), windowEnd: new Date(window.end), baseline: null };
    const driftEvidence: Evidence[] = drift.columns
      .filter((c) => c.drifted)
      .map((c) => ({
        ...evidenceBase,
        metric: `drift.${c.test}${c.criterion === 'p-value<threshold' ? '.p_value' : ''}`,
        value: finiteOr(c.criterion === 'p-value<threshold' ? c.pValue : c.statistic),
        threshold: c.threshold,
        feature: c.column,
        sampleSize: c.current.count,
      }));
    driftEvidence.push({
      ...evidenceBase,
      metric: 'drift.share',
      value: drift.shareOfDriftedColumns,
      threshold: drift.driftShareThreshold,
      feature: null,
      sampleSize: window.rows,
    });
    // A window's verdict must repeat `driftPersistence` times: with several columns each tested at
    // 5 %, single windows cross the drifted share by chance about once in 70 (see docs/monitor.md).
    v.driftStreak = drift.datasetDrift ? v.driftStreak + 1 : 0;
    const persistence = this.config.driftPersistence;
    this.decide(v, 'dataset_drift', v.driftStreak >= persistence, !drift.datasetDrift, window.end, () => ({
      message: `${drift.numberOfDriftedColumns} of ${drift.numberOfTestedColumns} columns drifted (share ${round(drift.shareOfDriftedColumns)} ≥ ${drift.driftShareThreshold}): ${drift.columns
        .filter((c) => c.drifted)
        .map((c) => c.column)
        .join(', ')}`,
      evidence: driftEvidence,
    }));
    const breaches = quality.columns.flatMap((c) => c.metrics.filter((m) => m.breached).map((m) => ({ column: c.column, m })));
    v.qualityStreak = breaches.length > 0 ? v.qualityStreak + 1 : 0;
    this.decide(v, 'data_quality', v.qualityStreak >= persistence, breaches.length === 0, window.end, () => ({
      message: `data quality breached: ${breaches.map((b) => `${b.column}.${b.m.name}=${round(b.m.value)}`).join(', ')}`,
      evidence: breaches.map((b) => ({
        ...evidenceBase,
        metric: `quality.${b.m.name}`,
        value: b.m.value,
        threshold: b.m.threshold,
        baseline: b.m.referenceValue,
        feature: b.column,
        sampleSize: window.rows,
      })),
    }));
    this.restartDriftWindow(v);
  }

  // ---- performance, detector, latency -------------------------------------

  private evaluatePerformance(v: VersionState, at: number): void {
    const g = this.versionGroup(v.version);
    const w = g.window;
    if (w.count < this.config.minLabels) return;
    const value = w.primary();
    if (!v.baseline && w.count >= this.config.metricWindow) {
      v.baseline = { value, sampleSize: w.count, windowStart: w.oldestTime, windowEnd: w.newestTime };
    }
    const regression = this.task === 'REGRESSION';
    const metric = regression ? 'mae' : 'accuracy';
    const evidence = (threshold: number, baseline: Baseline | null): Evidence[] => [
      {
        metric,
        value,
        threshold,
        baseline: baseline?.value ?? null,
        feature: null,
        windowStart: new Date(w.oldestTime),
        windowEnd: new Date(w.newestTime),
        sampleSize: w.count,
      },
    ];
    const margin = this.config.clearMargin;
    const floor = regression ? this.config.maeCeiling : this.config.accuracyFloor;
    if (floor !== null) {
      const rule: AlertRule = regression ? 'mae_above_ceiling' : 'accuracy_below_floor';
      const firing = regression ? value > floor : value < floor;
      const cleared = regression ? value <= floor * (1 - margin) : value >= floor + margin;
      this.decide(v, rule, firing, cleared, at, () => ({
        message: `${metric} ${round(value)} ${regression ? 'above ceiling' : 'below floor'} ${floor} over the last ${w.count} labelled predictions`,
        evidence: evidence(floor, v.baseline),
      }));
    }
    if (v.baseline) {
      const b = v.baseline;
      const threshold = regression ? b.value * (1 + this.config.maxMaeIncrease) : b.value - this.config.maxAccuracyDrop;
      const firing = regression ? value > threshold : value < threshold;
      const cleared = regression ? value <= threshold * (1 - margin) : value >= threshold + margin;
      const rule: AlertRule = regression ? 'mae_increase' : 'accuracy_drop';
      this.decide(v, rule, firing, cleared, at, () => ({
        message: `${metric} ${round(value)} over the last ${w.count} labelled predictions vs baseline ${round(b.value)} (${b.sampleSize} labels): beyond ${round(threshold)}`,
        evidence: evidence(threshold, b),
      }));
    }
  }

  private evaluateDetector(v: VersionState, at: number): void {
    const problem = this.detectorProblem;
    this.decide(v, 'detector_disabled', problem !== null, problem === null, at, () => ({
      message: `change detector disabled: ${problem}`,
      evidence: [],
    }));
    if (!v.detector) return;
    let firing = false;
    let recent = NaN;
    let older = NaN;
    if (v.detector.driftDetected && v.labels >= this.config.minDetectorLabels) {
      // Detectors such as ADWIN fire on any change of the mean: only a worsening is alerted.
      const split = Math.max(0, v.errors.length - DETECTOR_RECENT);
      recent = mean(v.errors.slice(split).map(([e]) => e));
      older = mean(v.errors.slice(0, split).map(([e]) => e));
      firing = recent > older;
      if (firing) v.lastWorseningAt = v.labels;
    }
    const cleared = v.lastWorseningAt === null || v.labels - v.lastWorseningAt >= this.config.metricWindow;
    const rule = detectorRule(this.config.detector);
    const recentErrors = v.errors.slice(-DETECTOR_RECENT);
    this.decide(v, rule, firing, cleared && !firing, at, () => ({
      message: `${this.config.detector} detected a change in the error stream: mean error ${round(recent)} over the last ${recentErrors.length} labels vs ${round(older)} before`,
      evidence: [
        {
          metric: `detector.${this.config.detector}`,
          value: recent,
          threshold: null,
          baseline: finiteOr(older),
          feature: null,
          windowStart: new Date(recentErrors[0][1]),
          windowEnd: new Date(recentErrors[recentErrors.length - 1][1]),
          sampleSize: recentErrors.length,
        },
      ],
    }));
  }

  private evaluateLatency(v: VersionState, g: GroupState, metrics: Record<string, number>): void {
    const ceiling = this.config.latencyP99CeilingMs;
    const p99 = metrics.latency_p99;
    if (ceiling === null || p99 === undefined) return;
    this.decide(v, 'latency_p99_above_ceiling', p99 > ceiling, p99 <= ceiling * (1 - this.config.clearMargin), g.lastTime, () => ({
      message: `latency p99 ${round(p99)} ms above ${ceiling} ms`,
      evidence: [
        {
          metric: 'latency_p99',
          value: p99,
          threshold: ceiling,
          baseline: null,
          feature: null,
          windowStart: new Date(g.firstTime),
          windowEnd: new Date(g.lastTime),
          sampleSize: metrics.latency_count,
        },
      ],
    }));
  }

  /** Kind and severity come from the alert-rule table of @vigil/contracts (escalating on an episode's repeats). */
  private decide(
    v: VersionState,
    rule: AlertRule,
    firing: boolean,
    cleared: boolean,
    eventTime: number,
    describe: () => { message: string; evidence: Evidence[] },
  ): void {
    const verdict = v.episodes.evaluate(rule, firing, cleared, eventTime, Date.now());
    if (verdict.action === 'none') return;
    const { message, evidence } = describe();
    this.outbox.push({
      alertId: randomUUID(),
      modelId: this.modelId,
      modelVersion: v.version,
      kind: ALERT_RULES[rule].kind,
      severity: severityOf(rule, verdict.alert),
      rule,
      since: new Date(verdict.since),
      observedAt: new Date(),
      message,
      evidence,
    });
  }

  /** Rules with an open episode, per version (for the API and tests). */
  openEpisodes(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const v of this.versions.values()) out[v.version] = Object.keys(v.episodes.toJSON());
    return out;
  }

  // ---- checkpoint ----------------------------------------------------------

  toJSON(): ModelMonitorState {
    return {
      format: 1,
      modelId: this.modelId,
      task: this.task,
      kinds: this.kinds,
      reference: this.reference?.toJSON() ?? null,
      referenceSource: this.referenceSource,
      warmup: this.warmup?.toJSON() ?? null,
      warmupRows: this.warmupRows,
      predictionWatermark: this.predictionWatermark,
      invalidLabels: this.invalidLabels,
      invalidPredictions: this.invalidPredictions,
      groups: [...this.groups()].map((g) => ({
        version: g.version,
        segmentKey: g.segmentKey,
        segmentValue: g.segmentValue,
        predictions: g.predictions,
        labelled: g.labelled,
        firstTime: g.firstTime,
        lastTime: g.lastTime,
        window: g.window.toJSON(),
        latency: g.latency.toJSON(),
      })),
      versions: [...this.versions.values()].map((v) => ({
        version: v.version,
        errors: v.errors,
        labels: v.labels,
        lastWorseningAt: v.lastWorseningAt,
        baseline: v.baseline,
        drift: v.drift?.toJSON() ?? null,
        driftRows: v.driftRows,
        driftStart: v.driftStart,
        driftEnd: v.driftEnd,
        lastDrift: v.lastDrift,
        driftStreak: v.driftStreak,
        qualityStreak: v.qualityStreak,
        episodes: v.episodes.toJSON(),
      })),
      pending: [...this.pending.values()],
      early: this.join.earlyLabels(this.modelId),
    };
  }

  /**
   * Rebuilds a monitor from a checkpoint, latency sketches of the current snapshot interval
   * included; the change detector is rebuilt by replaying the last
   * DETECTOR_REPLAY errors; predictions and labels waiting in the join are restored; label-join duplicates of labels joined before the checkpoint
   * are no longer recognised (they wait as unknown labels until their TTL).
   */
  static fromJSON(state: ModelMonitorState, config: ModelConfig, options: ModelMonitorOptions): ModelMonitor {
    const m = new ModelMonitor(state.modelId, config, options);
    m.task = state.task;
    m.checkDetector();
    m.kinds = state.kinds;
    m.reference = state.reference ? DatasetSummary.fromJSON(state.reference) : null;
    m.referenceSource = state.referenceSource;
    m.warmup = state.warmup ? DatasetSummary.fromJSON(state.warmup) : null;
    m.warmupRows = state.warmupRows;
    m.predictionWatermark = state.predictionWatermark;
    m.invalidLabels = state.invalidLabels;
    m.invalidPredictions = state.invalidPredictions;
    const task = state.task ?? 'CLASSIFICATION';
    for (const g of state.groups) {
      const target = g.segmentKey === '' ? m.versionGroup(g.version) : m.segmentGroups.get({ model: m.modelId, version: g.version, segment: { tag: g.segmentKey, value: g.segmentValue } });
      if (!target) continue;
      // JSON turns the ±Infinity of an empty group into null.
      target.predictions = g.predictions;
      target.labelled = g.labelled;
      target.firstTime = g.firstTime ?? Infinity;
      target.lastTime = g.lastTime ?? -Infinity;
      target.window = RollingPerformance.fromJSON(task, config.metricWindow, g.window);
      if (g.latency) target.latency = LatencySketch.fromJSON(g.latency);
    }
    for (const v of state.versions) {
      const episodes = new AlertEpisodes(() => m.config.reAlertIntervalMs);
      episodes.restore(v.episodes);
      m.versions.set(v.version, {
        ...v,
        driftStart: v.driftStart ?? Infinity,
        driftEnd: v.driftEnd ?? -Infinity,
        detector: m.rebuildDetector(v.errors),
        drift: v.drift ? DatasetSummary.fromJSON(v.drift) : m.kinds ? new DatasetSummary(m.kinds) : null,
        episodes,
      });
    }
    for (const p of state.pending) m.addPending(p);
    for (const l of state.early ?? []) m.join.addLabel(l);
    return m;
  }
}

function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

function finiteOr(value: number | null): number {
  return value !== null && Number.isFinite(value) ? value : 0;
}

function round(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : String(value);
}
