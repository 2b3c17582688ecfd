/**
 * CBPE judged as the issue asks (issue 14, section 3): on covariate-shift streams with
 * labels lagging, how many events earlier the estimated-accuracy alert comes than the first
 * label-based alert, and how far the estimate is from the realised accuracy of the same
 * predictions once their labels are in (mean absolute error per estimation window).
 *
 *   npm run bench:estimation          (prerequisites: none beyond `npm ci`; in-process, about a minute)
 *
 * Every event goes through the monitor's own ModelMonitor at the default configuration
 * (calibration on the version's first 2 000 labels, estimates per 500 predictions,
 * maxEstimatedAccuracyDrop 0.1); event i is at T0 + i s and its label arrives with event
 * i + lag, so a lead in events is also seconds of event time. The label-based path (the
 * realised accuracy rules and the change detector, `needsLabels` in ALERT_RULES) is the
 * baseline, on the same stream in the same run. The MAE uses the monitor's estimator
 * (EstimatedPerformance, the class ModelMonitor feeds) window by window against the
 * window's realised accuracy from the stream's truths.
 */
import { loadavg } from 'node:os';
import { ALERT_RULES, isAlertRule, LabelEvent, PredictionEvent } from '@vigil/contracts';
import { EstimatedPerformance } from '../apps/monitor/src/core/estimated-performance';
import { DEFAULT_MODEL_CONFIG, effectiveConfig } from '../apps/monitor/src/core/model-config';
import { ModelMonitor } from '../apps/monitor/src/core/model-monitor';
import { generateTraffic, PredictionStep } from '../apps/simulator/src/traffic';
import { sequentialIds, stoppedClock } from '../test/support/clock';
import { EVENT_T0, labelEvent, predictionEvent } from '../test/support/events';
import { covariateShiftStream, scoresOf, ScoredEvent } from '../test/support/scored-stream';
import { BenchRow, printBenchTable } from './table';

const ONSET = 8_000;
const AFTER = 10_000;
const N = ONSET + AFTER;
const LAGS = [500, 2_000, 5_000];
const at = (i: number) => EVENT_T0 + i * 1000;

interface Scenario {
  name: string;
  /** What the scenario changes: covariate shift (CBPE's case) or concept drift (its blind spot). */
  change: 'covariate' | 'concept';
  events: ScoredEvent[];
}

/** The simulator's card-fraud model (calibrated: it serves the truth's own logit) under one of its scenarios, from ONSET on. */
function cardFraud(scenario: 'uncertain-shift' | 'concept-drift'): ScoredEvent[] {
  const steps = [
    ...generateTraffic({
      seed: 14,
      models: ['card-fraud'],
      events: N,
      scenario: { scenarios: [scenario], changeAt: ONSET / N, spikeLength: 0, malformedShare: 0 },
      labelDelayMeanS: 0,
      labelMissingShare: 0,
    }),
  ].filter((s): s is PredictionStep => s.kind === 'prediction');
  return steps.map((s) => {
    const fraud = s.prediction.scores!.fraud;
    return { score: fraud, predictedClass: s.prediction.predictedClass as 'fraud' | 'legit', trueClass: s.label!.trueClass as 'fraud' | 'legit' };
  });
}

const SCENARIOS: Scenario[] = [
  { name: 'calibrated z ~ N(0,3) → N(0,0.7)', change: 'covariate', events: covariateShiftStream(41, N, ONSET, { before: 3, after: 0.7 }) },
  { name: 'calibrated z ~ N(0,3) → N(0,1.2)', change: 'covariate', events: covariateShiftStream(42, N, ONSET, { before: 3, after: 1.2 }) },
  { name: 'calibrated z ~ N(0,3) → N(0,1.8)', change: 'covariate', events: covariateShiftStream(43, N, ONSET, { before: 3, after: 1.8 }) },
  { name: 'card-fraud uncertain-shift', change: 'covariate', events: cardFraud('uncertain-shift') },
  { name: 'card-fraud concept-drift', change: 'concept', events: cardFraud('concept-drift') },
];

function prediction(e: ScoredEvent, i: number): PredictionEvent {
  return predictionEvent(i, { predictedClass: e.predictedClass, scores: scoresOf(e) });
}
function label(e: ScoredEvent, i: number, arrival: number): LabelEvent {
  return labelEvent(i, { trueClass: e.trueClass, eventTime: new Date(at(arrival)) });
}

interface Timing {
  estimatedAt: number | null;
  labelledAt: number | null;
  estimatedBeforeOnset: number;
}

/** The whole stream through ModelMonitor, the label of event i with event i + lag (the rest after the end). */
function alertTiming(events: ScoredEvent[], lag: number): Timing {
  const m = new ModelMonitor('bench', effectiveConfig(DEFAULT_MODEL_CONFIG, {}), {
    snapshotIntervalMs: Number.MAX_SAFE_INTEGER,
    clock: stoppedClock(EVENT_T0),
    ids: sequentialIds(),
  });
  const timing: Timing = { estimatedAt: null, labelledAt: null, estimatedBeforeOnset: 0 };
  for (let step = 0; step < N + lag; step++) {
    if (step >= lag) m.onLabel(label(events[step - lag], step - lag, step));
    if (step < N) m.onPrediction(prediction(events[step], step));
    for (const a of m.tick(at(step)).alerts) {
      if (!isAlertRule(a.rule)) continue;
      if (a.rule === 'estimated_accuracy_drop') {
        if (step < ONSET) timing.estimatedBeforeOnset++;
        else timing.estimatedAt ??= step;
      } else if (ALERT_RULES[a.rule].needsLabels && step >= ONSET) timing.labelledAt ??= step;
    }
  }
  return timing;
}

/** Mean |estimate − realised accuracy| over the estimation windows before and after the onset (windows straddling it left out). */
function estimationError(events: ScoredEvent[], lag: number): { before: number; after: number; windows: number } {
  const tracker = new EstimatedPerformance({
    referenceSize: DEFAULT_MODEL_CONFIG.estimationReferenceSize,
    window: DEFAULT_MODEL_CONFIG.estimationWindow,
    calibration: DEFAULT_MODEL_CONFIG.calibration,
  });
  const errors = { before: [] as number[], after: [] as number[] };
  for (let step = 0; step < N; step++) {
    if (step >= lag) {
      const e = events[step - lag];
      tracker.observeLabelled({ scores: scoresOf(e), predictedClass: e.predictedClass, time: at(step - lag) }, e.trueClass);
    }
    const e = events[step];
    const estimate = tracker.observePrediction({ scores: scoresOf(e), predictedClass: e.predictedClass, time: at(step) });
    if (!estimate) continue;
    const window = events.slice(step - estimate.sampleSize + 1, step + 1);
    const realised = window.filter((w) => w.predictedClass === w.trueClass).length / window.length;
    const from = step - estimate.sampleSize + 1;
    if (step < ONSET) errors.before.push(Math.abs(estimate.accuracy.value - realised));
    else if (from >= ONSET) errors.after.push(Math.abs(estimate.accuracy.value - realised));
  }
  const mean = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
  return { before: mean(errors.before), after: mean(errors.after), windows: errors.before.length + errors.after.length };
}

const accuracyOf = (xs: ScoredEvent[]) => xs.filter((e) => e.predictedClass === e.trueClass).length / xs.length;

function main(): void {
  const started = Date.now();
  const rows: BenchRow[] = [
    ['scenario, label lag (events)', 'estimated → label-based alert (events after onset)', 'lead; MAE of the estimate before / after; realised accuracy before → after'],
  ];
  for (const s of SCENARIOS) {
    for (const lag of LAGS) {
      const t = alertTiming(s.events, lag);
      const mae = estimationError(s.events, lag);
      const delay = (v: number | null) => (v === null ? 'none' : String(v - ONSET));
      const lead =
        t.estimatedAt !== null && t.labelledAt !== null ? `${t.labelledAt - t.estimatedAt} events earlier` : t.estimatedAt === null ? 'no estimated alert' : 'no label-based alert';
      rows.push([
        `${s.name} (${s.change}), lag ${lag}`,
        `${delay(t.estimatedAt)} → ${delay(t.labelledAt)}`,
        `${lead}; MAE ${mae.before.toFixed(4)} / ${mae.after.toFixed(4)} (${mae.windows} windows); ${accuracyOf(s.events.slice(0, ONSET)).toFixed(3)} → ${accuracyOf(s.events.slice(ONSET)).toFixed(3)}; false estimated alerts before onset ${t.estimatedBeforeOnset}`,
      ]);
    }
  }
  printBenchTable(
    `bench:estimation — CBPE against the label-based path, ${N} events per run (onset ${ONSET}), 1-min load ${loadavg()[0].toFixed(2)}, ${((Date.now() - started) / 1000).toFixed(0)} s`,
    rows,
  );
}

main();
