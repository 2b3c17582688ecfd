/**
 * The state of one model's monitor, declared once: each `*Checkpoint` is the JSON a
 * checkpoint carries (format 1), and each live `*State` is the same fields with the
 * serialised parts (summaries, sketches, windows, episodes) as the objects they restore to.
 */
import type { Task } from '@vigil/contracts';
import type { ChangeDetector, ColumnKind, DatasetSummary, DatasetSummaryJSON, DriftCalibration, LatencySketch, LatencySketchJSON } from '@vigil/monitoring';
import type { AlertEpisodes, EpisodeState } from './alert-episodes';
import type { EstimatedPerformance, EstimatedPerformanceCheckpoint } from './estimated-performance';
import type { LabelledObservation, RollingPerformance } from './rolling-performance';

/** What the label join keeps of a prediction until its label comes. */
export interface PendingPrediction {
  eventId: string;
  model: string;
  time: number;
  version: string;
  predicted: string | number;
  tags: Record<string, string>;
  /** Class scores, kept only while the version's CBPE calibration still needs labelled predictions. */
  scores?: Record<string, number>;
}

/** What the label join keeps of a label read before its prediction. */
export interface JoinLabel {
  eventId: string;
  model: string;
  time: number;
  trueClass: string | null;
  trueValue: number | null;
}

/** A version's headline metric over its first full window: what the drop rules compare with. */
export interface Baseline {
  value: number;
  sampleSize: number;
  windowStart: number;
  windowEnd: number;
}

/** The metrics of a version's last closed drift window, served with its snapshots. */
export interface DriftOutcome {
  metrics: Record<string, number>;
  windowStart: number;
  windowEnd: number;
  rows: number;
}

/** A (version) or (version, segment tag = value) group; `segmentKey` is '' for the version itself. */
export interface GroupCheckpoint {
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
}

export interface GroupState extends Omit<GroupCheckpoint, 'window' | 'latency'> {
  window: RollingPerformance;
  latency: LatencySketch;
  /** Changed since its last snapshot (not checkpointed: a restored group waits for its next event). */
  dirty: boolean;
}

export interface VersionCheckpoint {
  version: string;
  /** [error, prediction time] of the latest errors, oldest first (DETECTOR_REPLAY at most). */
  errors: [number, number][];
  labels: number;
  /** `labels` when the detector last found a worsening. */
  lastWorseningAt: number | null;
  baseline: Baseline | null;
  /** The open drift window (tumbling, `driftWindow` predictions) and its event-time span. */
  drift: DatasetSummaryJSON | null;
  driftRows: number;
  driftStart: number;
  driftEnd: number;
  lastDrift: DriftOutcome | null;
  /** Consecutive drift windows with dataset drift / with a data-quality breach. */
  driftStreak: number;
  qualityStreak: number;
  episodes: Record<string, EpisodeState>;
  /** CBPE calibration and the open estimation window (absent in checkpoints written before it was added). */
  estimation?: EstimatedPerformanceCheckpoint;
}

export interface VersionState extends Omit<VersionCheckpoint, 'drift' | 'episodes' | 'estimation'> {
  /** Null while the configured detector cannot run (see `ModelMonitor.detectorProblem`). */
  detector: ChangeDetector | null;
  drift: DatasetSummary | null;
  episodes: AlertEpisodes;
  estimation: EstimatedPerformance;
}

export interface ModelMonitorState {
  format: 1;
  modelId: string;
  task: Task | null;
  kinds: Record<string, ColumnKind> | null;
  reference: DatasetSummaryJSON | null;
  /**
   * Set when the checkpoint stores the reference apart, once per content
   * (monitor_checkpoint_references, migration 080): the reference's sha256 content id, with
   * `reference` null in the stored state and filled in again on restore. About 400 kB of
   * a 20-feature model's state, which no longer goes into every checkpoint write.
   */
  referenceId?: string;
  referenceSource: 'production' | 'registered' | null;
  warmup: DatasetSummaryJSON | null;
  warmupRows: number;
  /** The warm-up's rows, kept only while a false-alarm budget is set: its α is calibrated on them. */
  warmupSample?: Record<string, unknown>[];
  /** The budget's α and how it was found (absent without a budget, and in checkpoints written before it was added). */
  driftCalibration?: DriftCalibration;
  predictionWatermark: number;
  invalidLabels: number;
  invalidPredictions: number;
  groups: GroupCheckpoint[];
  versions: VersionCheckpoint[];
  pending: PendingPrediction[];
  /**
   * Labels read before their prediction. Their offsets are committed with the checkpoint,
   * so they must be in it. Absent in checkpoints written before it was added.
   */
  early?: JoinLabel[];
}
