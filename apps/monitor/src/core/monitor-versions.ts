import { ChangeDetector, ColumnKind, createDetector, DatasetSummary } from '@vigil/monitoring';
import { AlertEpisodes } from './alert-episodes';
import { EstimatedPerformance, EstimationSettings } from './estimated-performance';
import type { ModelConfig } from './model-config';
import type { VersionCheckpoint, VersionState } from './monitor-state';

/** Error values kept per version to rebuild the change detector after a restore. */
export const DETECTOR_REPLAY = 1000;

export interface VersionSettings {
  config: ModelConfig;
  /** Why the configured detector cannot run for this model; null when it can. */
  detectorProblem: string | null;
}

/** The per-version state of one model (see VersionState), made on a version's first event. */
export class MonitorVersions {
  private readonly states = new Map<string, VersionState>();

  constructor(
    private readonly settings: () => VersionSettings,
    /** Opens a new version's first drift window. */
    private readonly startDriftWindow: (v: VersionState) => void,
  ) {}

  values(): IterableIterator<VersionState> {
    return this.states.values();
  }

  find(version: string): VersionState | undefined {
    return this.states.get(version);
  }

  get(version: string): VersionState {
    let v = this.states.get(version);
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
        episodes: this.newEpisodes(),
        estimation: new EstimatedPerformance(this.estimationSettings()),
      };
      this.startDriftWindow(v);
      this.states.set(version, v);
    }
    return v;
  }

  /** Records one labelled prediction's error and feeds it to the detector. */
  addError(v: VersionState, error: number, time: number): void {
    v.labels += 1;
    v.errors.push([error, time]);
    if (v.errors.length > DETECTOR_REPLAY) v.errors.shift();
    v.detector?.update(error);
  }

  /** A new detector (or parameters) starts from the kept errors. */
  rebuildDetectors(): void {
    for (const v of this.states.values()) v.detector = this.rebuildDetector(v.errors);
  }

  private rebuildDetector(errors: [number, number][]): ChangeDetector | null {
    const { config, detectorProblem } = this.settings();
    if (detectorProblem !== null) return null;
    const detector = createDetector(config.detector, config.detectorParams);
    for (const [e] of errors) detector.update(e);
    return detector;
  }

  /** New estimation settings start every version's CBPE calibration again, from its next labels. */
  restartEstimation(): void {
    for (const v of this.states.values()) v.estimation = new EstimatedPerformance(this.estimationSettings());
  }

  private estimationSettings(): EstimationSettings {
    const { config } = this.settings();
    return { referenceSize: config.estimationReferenceSize, window: config.estimationWindow, calibration: config.calibration };
  }

  private newEpisodes(): AlertEpisodes {
    return new AlertEpisodes(() => this.settings().config.reAlertIntervalMs);
  }

  /** Rules with an open episode, per version. */
  openEpisodes(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const v of this.states.values()) out[v.version] = Object.keys(v.episodes.toJSON());
    return out;
  }

  toJSON(): VersionCheckpoint[] {
    return [...this.states.values()].map((v) => ({
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
      ...(v.estimation.started && { estimation: v.estimation.toJSON() }),
    }));
  }

  /** The detector is rebuilt by replaying the kept errors; a missing drift window restarts empty with `kinds`, a missing estimation calibrates anew. */
  restore(checkpoints: VersionCheckpoint[], kinds: Record<string, ColumnKind> | null): void {
    for (const { estimation, ...v } of checkpoints) {
      const episodes = this.newEpisodes();
      episodes.restore(v.episodes);
      this.states.set(v.version, {
        ...v,
        // JSON turns the ±Infinity of an empty window into null.
        driftStart: v.driftStart ?? Infinity,
        driftEnd: v.driftEnd ?? -Infinity,
        detector: this.rebuildDetector(v.errors),
        drift: v.drift ? DatasetSummary.fromJSON(v.drift) : kinds ? new DatasetSummary(kinds) : null,
        episodes,
        estimation: estimation ? EstimatedPerformance.fromJSON(estimation, this.estimationSettings()) : new EstimatedPerformance(this.estimationSettings()),
      });
    }
  }
}
