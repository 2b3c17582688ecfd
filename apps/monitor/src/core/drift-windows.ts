import { createHash } from 'node:crypto';
import type { PredictionEvent, Task } from '@vigil/contracts';
import {
  calibrateDriftAlpha,
  ColumnKind,
  computeDataQuality,
  computeDatasetDrift,
  DataQualityResult,
  DatasetDriftResult,
  DatasetSummary,
  DriftCalibration,
  DriftWindowDesign,
} from '@vigil/monitoring';
import type { ModelConfig } from './model-config';
import type { ModelMonitorState, VersionState } from './monitor-state';
import { PREDICTION_COLUMN } from './prediction-input';
import { finiteOnly } from './rolling-performance';
import type { ClosedDriftWindow } from './rules/drift-window';
import { breachesOf } from './rules/data-quality';

/** A version's drift window that just closed, tested against the reference. */
export interface ClosedDrift {
  version: VersionState;
  drift: DatasetDriftResult;
  quality: DataQualityResult;
  window: ClosedDriftWindow;
}

type ReferenceState = Pick<ModelMonitorState, 'kinds' | 'reference' | 'referenceId' | 'referenceSource' | 'warmup' | 'warmupRows' | 'warmupSample' | 'driftCalibration'>;

/**
 * One model's drift reference and its versions' tumbling drift windows. Until a reference
 * is registered, the first `referenceSize` predictions (all versions) are the warm-up that
 * becomes the production reference; after that each version's predictions fill windows of
 * `driftWindow` rows, and each full window is tested against the reference and restarted.
 * A new reference restarts every open window. The columns (`kinds`) are the reference's,
 * or those of the first prediction.
 *
 * With a false-alarm budget the warm-up also keeps its rows (`warmupSample`), so the
 * production reference's α is calibrated on them (`calibrateDriftAlpha`, once per
 * reference, kept in the checkpoint); a registered reference is a summary without rows, and
 * a budget or window design changed after the reference was formed has no rows left either:
 * both get the closed form.
 */
export class DriftWindows {
  kinds: Record<string, ColumnKind> | null = null;
  referenceSource: 'production' | 'registered' | null = null;
  private reference: DatasetSummary | null = null;
  private warmup: DatasetSummary | null = null;
  private warmupRows = 0;
  /** The reference's content id, for the reference it was computed from (references are never mutated, only replaced). */
  private contentId: { of: DatasetSummary; id: string } | null = null;
  private warmupSample: Record<string, unknown>[] | null = null;
  private calibration: DriftCalibration | null = null;

  constructor(
    private readonly config: () => ModelConfig,
    private readonly versions: () => Iterable<VersionState>,
  ) {}

  setReference(reference: DatasetSummary): void {
    this.reference = reference;
    this.referenceSource = 'registered';
    this.kinds = Object.fromEntries(Object.entries(reference.columns).map(([name, c]) => [name, c.kind]));
    this.warmup = null;
    this.warmupSample = null;
    this.calibration = null;
    for (const v of this.versions()) this.restart(v);
  }

  /** Adds the prediction's row; returns the window it closed, if any (the caller restarts it after judging it). */
  observe(p: PredictionEvent, predicted: string | number, time: number, task: Task | null, versionState: (version: string) => VersionState): ClosedDrift | null {
    const row: Record<string, unknown> = { ...p.numericFeatures, ...p.categoricalFeatures, [PREDICTION_COLUMN]: predicted };
    if (!this.reference) {
      if (!this.kinds) {
        // Null prototype: a feature named `__proto__` is assigned like any other name.
        const kinds = Object.create(null) as Record<string, ColumnKind>;
        kinds[PREDICTION_COLUMN] = task === 'REGRESSION' ? 'numeric' : 'categorical';
        for (const name of Object.keys(p.numericFeatures)) kinds[name] = 'numeric';
        for (const name of Object.keys(p.categoricalFeatures)) kinds[name] = 'categorical';
        this.kinds = kinds;
      }
      this.warmup ??= new DatasetSummary(this.kinds);
      this.warmup.addRow(row);
      this.warmupRows += 1;
      if (this.config().falseAlarmBudget) (this.warmupSample ??= []).push(row);
      if (this.warmupRows >= this.config().referenceSize) {
        // Done taking rows: its add buffers (about 170 kB at 20 features) go back.
        this.reference = this.warmup.releaseBuffers();
        this.referenceSource = 'production';
        this.warmup = null;
        const budget = this.config().falseAlarmBudget;
        // A sample begun mid-warm-up (the budget set since) is not the reference's rows.
        const rows = this.warmupSample?.length === this.warmupRows ? { kinds: this.kinds, rows: this.warmupSample } : null;
        this.calibration = budget ? calibrateDriftAlpha(budget, this.design(), rows) : null;
        this.warmupSample = null;
        for (const v of this.versions()) this.restart(v);
      }
      return null;
    }
    const v = versionState(p.modelVersion);
    v.drift!.addRow(row);
    v.driftRows += 1;
    v.driftStart = Math.min(v.driftStart, time);
    v.driftEnd = Math.max(v.driftEnd, time);
    return v.driftRows >= this.config().driftWindow ? this.close(v) : null;
  }

  /** Empties the version's open window (with the current columns; none while they are unknown). */
  restart(v: VersionState): void {
    v.drift = this.kinds ? new DatasetSummary(this.kinds) : null;
    v.driftRows = 0;
    v.driftStart = Infinity;
    v.driftEnd = -Infinity;
  }

  /** Tests the full window, records its metrics (`lastDrift`) and the streaks the drift and quality rules read. */
  private close(v: VersionState): ClosedDrift {
    const reference = this.reference!.columns;
    const current = v.drift!.columns;
    const { driftShareThreshold, driftCorrection: correction } = this.config();
    const drift = computeDatasetDrift(reference, current, { driftShareThreshold, correction, pValueThreshold: this.driftAlpha() });
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
    v.driftStreak = drift.datasetDrift ? v.driftStreak + 1 : 0;
    v.qualityStreak = breachesOf(quality).length > 0 ? v.qualityStreak + 1 : 0;
    return { version: v, drift, quality, window };
  }

  private design(): DriftWindowDesign {
    const { driftShareThreshold, driftCorrection: correction, driftWindow, driftPersistence } = this.config();
    return { driftWindow, driftPersistence, columns: this.kinds ? Object.keys(this.kinds).length : 0, driftShareThreshold, correction };
  }

  /** The p-value threshold of the budget (undefined without one: the tests' defaults); recalibrated (closed form) when the budget or design changed. */
  private driftAlpha(): number | undefined {
    const budget = this.config().falseAlarmBudget;
    if (!budget) return undefined;
    const design = this.design();
    const c = this.calibration;
    const same = <T extends object>(a: T, b: T) => (Object.keys(a) as (keyof T)[]).every((k) => a[k] === b[k]);
    if (c && same(c.budget, budget) && same(c.design, design)) return c.alpha;
    this.calibration = calibrateDriftAlpha(budget, design, null);
    return this.calibration.alpha;
  }

  /** The calibration in use (null without a budget, or before the first window was tested against a registered reference). */
  driftCalibration(): DriftCalibration | null {
    // One kept from a budget since removed is not in use (kept: the same budget set again reuses it).
    return this.config().falseAlarmBudget ? this.calibration : null;
  }

  referenceRows(): number {
    if (!this.reference) return 0;
    return Math.max(0, ...Object.values(this.reference.columns).map((c) => c.rows));
  }

  currentReference(): DatasetSummary | null {
    return this.reference;
  }

  /** sha256 of the reference's JSON, computed once per reference: the checkpoint names the reference by it. */
  referenceContentId(): string | null {
    if (!this.reference) return null;
    if (this.contentId?.of !== this.reference) {
      this.contentId = { of: this.reference, id: createHash('sha256').update(JSON.stringify(this.reference.toJSON())).digest('hex') };
    }
    return this.contentId.id;
  }

  /** `apart`: the reference named by its content id instead of inline (the checkpointer stores it once per content). */
  referenceToJSON(apart = false): ReferenceState {
    return {
      kinds: this.kinds,
      reference: apart ? null : (this.reference?.toJSON() ?? null),
      ...(apart && this.reference ? { referenceId: this.referenceContentId()! } : {}),
      referenceSource: this.referenceSource,
      warmup: this.warmup?.toJSON() ?? null,
      warmupRows: this.warmupRows,
      ...(this.warmupSample ? { warmupSample: this.warmupSample } : {}),
      ...(this.calibration ? { driftCalibration: this.calibration } : {}),
    };
  }

  restoreReference(state: ReferenceState): void {
    this.kinds = state.kinds;
    this.reference = state.reference ? DatasetSummary.fromJSON(state.reference) : null;
    this.contentId = this.reference && state.referenceId ? { of: this.reference, id: state.referenceId } : null;
    this.referenceSource = state.referenceSource;
    this.warmup = state.warmup ? DatasetSummary.fromJSON(state.warmup) : null;
    this.warmupRows = state.warmupRows;
    this.warmupSample = state.warmupSample ?? null;
    this.calibration = state.driftCalibration ?? null;
  }
}
