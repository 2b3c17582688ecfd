/**
 * Throughput of the per-model monitoring pipeline, on one core, with memory checkpoints.
 *
 *   npx ts-node -r tsconfig-paths/register --transpile-only bench/engine-pipeline.ts
 *   BENCH_EVENTS=2000000 node --expose-gc -r ts-node/register/transpile-only -r tsconfig-paths/register bench/engine-pipeline.ts
 *
 * Per event: label join (prediction in, the label of an earlier prediction in) → a
 * 60 s tumbling event-time window of classification metrics (confusion matrix, log loss,
 * calibration, ROC AUC counters) → one change detector (DDM on the 0/1 error) → the drift
 * library's incremental current-window summaries of 20 numeric features. All events are
 * generated up front; the baseline is a bare loop over the same events doing only the
 * join's Map set/delete. Not a test: numbers depend on the machine.
 */
import { ClassificationMetrics, ClassificationObservation, Ddm, LabelJoin, NumericSummary, TimeWindow, mulberry32 } from '@vigil/monitoring';

const N = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const FEATURES = 20;
/** BENCH_NO_DRIFT=1 skips the drift summaries, to see their share of the cost. */
const WITH_DRIFT = process.env.BENCH_NO_DRIFT !== '1';
const LABEL_LAG = 2_000; // the label of prediction i arrives with prediction i + LABEL_LAG
const EVENT_SPACING_MS = 1; // 1 000 events/s of event time: ~17 windows of 60 000 per 1M events

interface Prediction {
  eventId: string;
  model: string;
  time: number;
  predicted: string;
  score: number;
}
interface Label {
  eventId: string;
  model: string;
  time: number;
  actual: string;
}

// ---- generate everything up front ------------------------------------------------------
const rand = mulberry32(2024);
const predictions: Prediction[] = new Array(N);
const labels: (Label | undefined)[] = new Array(N);
const features = new Float32Array(N * FEATURES);
for (let i = 0; i < N; i++) {
  const time = 1_700_000_000_000 + i * EVENT_SPACING_MS - Math.floor(rand() * 50); // slightly out of order
  const score = Math.round(rand() * 1000) / 1000;
  const drifted = i > N / 2;
  const actualYes = rand() < (drifted ? 0.5 : 0.7) * score + 0.15;
  predictions[i] = { eventId: `p-${i}`, model: 'churn', time, predicted: score >= 0.5 ? 'yes' : 'no', score };
  labels[i] = rand() < 0.9 ? { eventId: `p-${i}`, model: 'churn', time: time + LABEL_LAG * EVENT_SPACING_MS, actual: actualYes ? 'yes' : 'no' } : undefined;
  for (let f = 0; f < FEATURES; f++) features[i * FEATURES + f] = (rand() + rand() + rand()) * (f + 1) + (drifted && f < 3 ? 1 : 0);
}

const gc = (globalThis as { gc?: () => void }).gc;
function heapMb(): string {
  gc?.();
  const m = process.memoryUsage();
  // Typed-array storage (the summaries' raw buffers) lives outside the JS heap.
  return `${(m.heapUsed / 1048576).toFixed(1)} MB + array buffers ${(m.arrayBuffers / 1048576).toFixed(1)}`;
}

// ---- baseline: the same events, only a Map set/delete -----------------------------------
function baseline(): number {
  const pending = new Map<string, Prediction>();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const p = predictions[i];
    pending.set(p.eventId, p);
    if (i >= LABEL_LAG) {
      const l = labels[i - LABEL_LAG];
      if (l !== undefined) pending.delete(l.eventId);
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (pending.size < 0) console.log('unreachable');
  return seconds;
}

// ---- the pipeline -----------------------------------------------------------------------
function pipeline(): { seconds: number; checkpoints: string[]; summary: string } {
  const join = new LabelJoin<Prediction, Label>({ lookbackMs: 60_000, maxPendingPerModel: 100_000 });
  const window = new TimeWindow<ClassificationObservation, ClassificationMetrics>(
    { size: 60_000, allowedLateness: 5_000 },
    () => new ClassificationMetrics({ positiveLabel: 'yes' }),
  );
  const detector = new Ddm();
  let summaries = Array.from({ length: FEATURES }, () => new NumericSummary());
  let closedWindows = 0;
  let lastAccuracy = NaN;
  let drifts = 0;
  const checkpoints: string[] = [];
  const marks = new Set([N / 4, N / 2, (3 * N) / 4, N].map(Math.floor));

  const t0 = process.hrtime.bigint();
  let paused = 0n;
  for (let i = 0; i < N; i++) {
    const p = predictions[i];
    join.addPrediction(p);
    if (WITH_DRIFT) for (let f = 0; f < FEATURES; f++) summaries[f].add(features[i * FEATURES + f]);
    if (i >= LABEL_LAG) {
      const l = labels[i - LABEL_LAG];
      const pair = l && join.addLabel(l);
      if (pair) {
        const obs: ClassificationObservation = {
          predicted: pair.prediction.predicted,
          actual: pair.label.actual,
          scores: { yes: pair.prediction.score },
        };
        const closed = window.add(pair.prediction.time, obs);
        for (const c of closed) {
          closedWindows += 1;
          lastAccuracy = c.aggregate.report().accuracy;
          // The drift monitor would test these against the reference here; the bench starts a new window.
          summaries = Array.from({ length: FEATURES }, () => new NumericSummary());
        }
        detector.update(obs.predicted === obs.actual ? 0 : 1);
        if (detector.driftDetected) drifts += 1;
      }
    }
    if ((i & 1023) === 0) join.expire(p.time);
    if (marks.has(i + 1)) {
      const s = process.hrtime.bigint();
      checkpoints.push(`${String(Math.round(((i + 1) / N) * 100)).padStart(3)} %  heap ${heapMb()} MB  pending ${join.stats('churn').pending}  panes ${window.paneCount}`);
      paused += process.hrtime.bigint() - s;
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0 - paused) / 1e9;
  const st = join.stats('churn');
  const summary =
    `joined ${st.joined}, label coverage ${join.labelCoverage('churn').toFixed(3)}, closed windows ${closedWindows}, ` +
    `last window accuracy ${lastAccuracy.toFixed(3)}, DDM drifts ${drifts}, dropped late ${window.dropped}`;
  return { seconds, checkpoints, summary };
}

console.log(
  `events: ${N.toLocaleString('en')}, features: ${FEATURES}, node ${process.version}${gc ? ', heap measured after gc()' : ' (run with --expose-gc for post-GC heap figures)'}`,
);
console.log(`heap after generating events: ${heapMb()} MB`);
baseline(); // warm-up
const base = baseline();
const run = pipeline();
console.log('memory through the stream:');
for (const c of run.checkpoints) console.log(`  ${c}`);
console.log(`heap after the pipeline returned (its state is garbage now): ${heapMb()} MB`);
console.log(run.summary);
const rate = N / run.seconds;
const baseRate = N / base;
console.log(`baseline (Map set/delete only): ${(baseRate / 1e6).toFixed(2)} M events/s (${base.toFixed(3)} s)`);
console.log(`pipeline:                       ${(rate / 1e3).toFixed(0)} k events/s (${run.seconds.toFixed(3)} s)`);
console.log(`pipeline / baseline:            ${(rate / baseRate).toFixed(3)}  (target ≥ 500 k events/s: ${rate >= 500_000 ? 'met' : 'NOT met'})`);
