/**
 * Detection benchmark (not a test): Vigil's whole decision path, scored like a detector
 * on River's standard drifting streams, against River's ADWIN, DDM and KSWIN at their
 * defaults on the same streams in the same run.
 *
 *   npm run bench:detection            (BENCH_QUICK=1: 100k-event stationary runs, a few minutes)
 *
 * Knobs: STATIONARY_N (events of each stationary run); BUDGET_REFERENCES and BUDGET_EVENTS
 * (the false-alarm budget is a property over references: that many stationary SEA streams
 * of that many events, each with its own warm-up reference and calibration, per budget);
 * LABEL_LAG (events a label arrives after its prediction, in the label-lag rows).
 *
 * Prerequisites: the bench Python environment (`bash bench/python/env.sh` makes
 * .venv-bench with river 0.26.1); BENCH_PYTHON overrides its path. No server is needed.
 *
 * Each scenario is a stream of { x, y } from libs/monitoring/src/streams with changes at
 * known onsets. The monitored model predicts the concept before the change (noise-free);
 * the truth is the stream's label flipped with probability LABEL_NOISE, so the model's
 * error rate is LABEL_NOISE before the onset and rises after a concept change. The
 * simulator's card-fraud rows bring their own serving model and truth. Event i is at
 * T0 + i s and is labelled at once (the label-lag rows: LABEL_LAG events later). Vigil
 * path: ModelMonitor (default model config, apps/monitor/src/core) → its alerts →
 * LifecyclePolicyEngine with the built-in policy (apps/orchestrator/src/core), its clock
 * following event time.
 *
 * Scored per onset: delay from onset to the first alarm (events = labelled events here,
 * and event time), miss when no alarm before the next onset or the end; false alarms =
 * alarms before the first onset and in stationary runs, per 1M events; same for
 * RetrainRequested. A Vigil alarm is the first alert of an episode (rule, since) of any
 * rule; a River alarm is a `drift_detected`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '@vigil/contracts';
import { DriftCalibration, falseDriftAlertsPerDay, mulberry32, provenDriftAlpha, regularizedGammaP, regularizedGammaQ, streams } from '@vigil/monitoring';
import { DEFAULT_MODEL_CONFIG, effectiveConfig, ModelConfig } from '../apps/monitor/src/core/model-config';
import { ModelMonitor } from '../apps/monitor/src/core/model-monitor';
import { LifecyclePolicyEngine } from '../apps/orchestrator/src/core/lifecycle-policy-engine';
import { resolvePolicy } from '../apps/orchestrator/src/core/policy';
import { emptyModelState } from '../apps/orchestrator/src/core/state';
import { cardFraud } from '../apps/simulator/src/models';
import { Random as SimulatorRandom } from '../apps/simulator/src/random';
import type { Conditions } from '../apps/simulator/src/scenarios';
import { printBenchTable } from './table';

const QUICK = process.env.BENCH_QUICK === '1';
const STATIONARY_N = Number(process.env.STATIONARY_N ?? (QUICK ? 100_000 : 1_000_000));
const DRIFT_N = 10_000;
const ONSET = 5_000;
const LABEL_NOISE = 0.1;
const T0 = Date.UTC(2026, 0, 1);
const PYTHON = process.env.BENCH_PYTHON ?? '.venv-bench/bin/python';
const BUDGET_REFERENCES = Number(process.env.BUDGET_REFERENCES ?? (QUICK ? 6 : 10));
const BUDGET_EVENTS = Number(process.env.BUDGET_EVENTS ?? STATIONARY_N);
const LABEL_LAG = Number(process.env.LABEL_LAG ?? 1000);
const { seededRandom: rng } = streams;

/** A stream event; the simulator's scenarios also carry categorical features. */
type BenchEvent = streams.LabelledEvent & { categorical?: Record<string, string> };

interface Scenario {
  name: string;
  events: number;
  /** Event indices (0-based) where a change starts; empty for a stationary run. */
  onsets: number[];
  stream: Iterator<BenchEvent, never>;
  /** Probability a label is flipped (default LABEL_NOISE; 0 for the simulator's own truth). */
  labelNoise?: number;
  /** The model: the concept before the change. */
  model: (x: streams.Features) => number;
  /** The feature KSWIN watches (the one the change moves, or the first). */
  feature: string;
}

function scenarios(seed: number): Scenario[] {
  const { sea, seaConcept, stagger, staggerConcept, agrawal, agrawalConcept, mixed, mixedConcept, suddenDrift, conceptDrift, recurringDrift } = streams;
  const base = { events: DRIFT_N, onsets: [ONSET] };
  const hp = { nFeatures: 10, noisePercentage: 0, sigma: 0.1 };
  const covariate = function* (): Generator<streams.LabelledEvent, never> {
    // Feature-only drift: x0 ~ U(0, 10) → U(3, 10) at the onset, the concept (SEA 0) unchanged.
    const s = sea(rng(seed + 9), 0);
    for (let t = 0; ; t++) {
      const { x } = s.next().value;
      const moved = t < ONSET ? x : { ...x, x0: 3 + 0.7 * x.x0 };
      yield { x: moved, y: seaConcept(0)(moved) };
    }
  };
  return [
    { ...base, name: 'SEA sudden (θ 8 → 9.5)', stream: suddenDrift(sea(rng(seed), 0), sea(rng(seed + 1), 3), ONSET), model: seaConcept(0), feature: 'x0' },
    {
      ...base,
      name: 'SEA gradual (width 1000)',
      stream: conceptDrift(rng(seed + 2), sea(rng(seed), 0), sea(rng(seed + 1), 3), ONSET + 500, 1000),
      model: seaConcept(0),
      feature: 'x0',
    },
    { ...base, name: 'SEA covariate (x0 → U(3,10))', stream: covariate(), model: seaConcept(0), feature: 'x0' },
    { ...base, name: 'STAGGER sudden (f0 → f1)', stream: suddenDrift(stagger(rng(seed), 0), stagger(rng(seed + 1), 1), ONSET), model: staggerConcept(0), feature: 'size' },
    {
      ...base,
      name: 'STAGGER recurring (f0 → f2 → f0, 2000)',
      onsets: [ONSET, ONSET + 2000],
      stream: recurringDrift(stagger(rng(seed), 0), stagger(rng(seed + 1), 2), ONSET, 2000),
      model: staggerConcept(0),
      feature: 'size',
    },
    { ...base, name: 'Agrawal sudden (f0 → f2)', stream: suddenDrift(agrawal(rng(seed), 0), agrawal(rng(seed + 1), 2), ONSET), model: agrawalConcept(0), feature: 'age' },
    {
      ...base,
      name: 'Agrawal gradual (f0 → f2, width 1000)',
      stream: conceptDrift(rng(seed + 2), agrawal(rng(seed), 0), agrawal(rng(seed + 1), 2), ONSET + 500, 1000),
      model: agrawalConcept(0),
      feature: 'age',
    },
    {
      ...base,
      name: 'Hyperplane incremental (0.001 / event)',
      stream: pairedHyperplane(seed, { ...hp, magChange: 0.001, driftFrom: ONSET + 1 }, hp),
      model: (x) => x.__model,
      feature: 'x0',
    },
    { ...base, name: 'Mixed sudden (f0 → f1)', stream: suddenDrift(mixed(rng(seed), 0), mixed(rng(seed + 1), 1), ONSET), model: mixedConcept(0), feature: 'x' },
    ...simulatorScenarios(seed),
    { name: `SEA stationary (${STATIONARY_N / 1000}k)`, events: STATIONARY_N, onsets: [], stream: sea(rng(seed + 5), 0), model: seaConcept(0), feature: 'x0' },
    { name: `Agrawal stationary (${STATIONARY_N / 1000}k)`, events: STATIONARY_N, onsets: [], stream: agrawal(rng(seed + 6), 0), model: agrawalConcept(0), feature: 'age' },
  ];
}

/** The simulator's drift magnitudes: the share of the change applied from the onset on. */
const MAGNITUDES = [0.25, 0.5, 1] as const;

/**
 * The simulator's card-fraud model (apps/simulator/src/models.ts) at three magnitudes of a
 * feature-only shift (`featureShift`: amount, distance, merchant and country mix move; the
 * fraud process unchanged) and of a label-only change (the truth drawn from the drifted
 * fraud process with probability m, the features unchanged). Its serving model and truth
 * are the simulator's (no extra label noise); KSWIN watches `amount`.
 */
function simulatorScenarios(seed: number): Scenario[] {
  const base = { events: DRIFT_N, onsets: [ONSET], labelNoise: 0, model: (x: streams.Features) => x.__model, feature: 'amount' };
  const stream = function* (shift: (u: number) => Partial<Conditions>): Generator<BenchEvent, never> {
    const random = new SimulatorRandom(seed + 20);
    const mix = mulberry32(seed + 21);
    const still: Conditions = {
      featureShift: 0,
      uncertainShift: false,
      conceptShift: 0,
      badVersion: false,
      retrained: false,
      latencyFactor: 1,
      malformedShare: 0,
      labelDelayFactor: 1,
    };
    for (let t = 0; ; t++) {
      // One draw of `mix` per event whatever the scenario, so the features are the same across magnitudes.
      const change = shift(mix());
      const o = cardFraud.draw(random, t < ONSET ? still : { ...still, ...change });
      yield { x: { ...o.numericFeatures, __model: o.predictedClass === 'fraud' ? 1 : 0 }, y: o.trueClass === 'fraud' ? 1 : 0, categorical: o.categoricalFeatures };
    }
  };
  return MAGNITUDES.flatMap((m) => [
    { ...base, name: `card-fraud covariate (featureShift ${m})`, stream: stream(() => ({ featureShift: m })) },
    { ...base, name: `card-fraud concept (${m * 100} % drifted truth)`, stream: stream((u) => ({ conceptShift: u < m ? 1 : 0 })) },
  ]);
}

/**
 * The hyperplane's model is its own start: the same seed without drift draws the same x,
 * so its label is the concept before the change. Carried in `__model`, not a feature.
 */
function* pairedHyperplane(seed: number, moving: streams.HyperplaneOptions, still: streams.HyperplaneOptions): Generator<streams.LabelledEvent, never> {
  const truth = streams.hyperplane(rng(seed), moving);
  const model = streams.hyperplane(rng(seed), still);
  for (;;) {
    const t = truth.next().value;
    yield { x: { ...t.x, __model: model.next().value.y }, y: t.y };
  }
}

interface Run {
  alarms: number[];
  /** The rule of each alarm, in the same order. */
  alarmRules: string[];
  /** Alarms of the dataset_drift rule alone (what a false-alarm budget bounds). */
  driftAlarms: number[];
  retrains: number[];
  errors: Uint8Array;
  feature: Float64Array;
  seconds: number;
  /** The budget's α as the monitor calibrated it (null without a budget). */
  calibration: Pick<DriftCalibration, 'alpha' | 'method' | 'bootstrapAlertsPerDay'> | null;
}

/**
 * Feeds one scenario through ModelMonitor → LifecyclePolicyEngine; returns the event index of
 * each alarm and retrain request. Event i's label is read with event i + `labelLag`.
 */
function runVigil(s: Scenario, config: ModelConfig, labelLag = 0): Run {
  let now = T0;
  const clock = { now: () => now };
  let id = 0;
  const monitor = new ModelMonitor('bench', config, { snapshotIntervalMs: 60_000, clock, ids: { next: () => `a${++id}` } });
  const engine = new LifecyclePolicyEngine();
  const policy = resolvePolicy('bench', {}, undefined);
  let state = emptyModelState('bench');
  const noise = mulberry32(4242);
  const errors = new Uint8Array(s.events);
  const truths = new Uint8Array(s.events);
  const feature = new Float64Array(s.events);
  const alarms: number[] = [];
  const driftAlarms: number[] = [];
  const alarmRules: string[] = [];
  const retrains: number[] = [];
  const episodes = new Set<string>();
  const started = process.hrtime.bigint();
  for (let i = 0; i < s.events; i++) {
    const { x, y, categorical } = s.stream.next().value;
    const truth = noise() < (s.labelNoise ?? LABEL_NOISE) ? 1 - y : y;
    const { __model, ...features } = x;
    const predicted = __model ?? s.model(x);
    errors[i] = predicted === truth ? 0 : 1;
    feature[i] = features[s.feature];
    now = T0 + i * 1000;
    monitor.onPrediction({
      eventId: `p${i}`,
      modelId: 'bench',
      modelVersion: 'v1',
      eventTime: new Date(now),
      entityId: null,
      task: 'CLASSIFICATION',
      numericFeatures: features,
      categoricalFeatures: categorical ?? {},
      predictedClass: String(predicted),
      scores: {},
      predictedValue: null,
      latencyMs: 5,
      tags: {},
    });
    truths[i] = truth;
    const j = i - labelLag;
    if (j >= 0) monitor.onLabel({ eventId: `l${j}`, modelId: 'bench', predictionEventId: `p${j}`, eventTime: new Date(now), trueClass: String(truths[j]), trueValue: null });
    for (const alert of monitor.tick(now).alerts) {
      const episode = `${alert.rule}@${alert.since.getTime()}`;
      if (!episodes.has(episode)) {
        episodes.add(episode);
        alarms.push(i);
        alarmRules.push(alert.rule);
        if (alert.rule === 'dataset_drift') driftAlarms.push(i);
      }
      const result = engine.decide(state, { type: 'alert', alert: alert as Alert }, policy, now);
      state = result.state;
      if (result.decisions.some((d) => d.outcome === 'retrain_requested')) retrains.push(i);
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { alarms, alarmRules, driftAlarms, retrains, errors, feature, seconds, calibration: monitor.currentMetrics().reference.driftCalibration ?? null };
}

interface Score {
  delays: (number | null)[];
  falseAlarms: number;
  /** Events where a false alarm could happen: before the first onset, or the whole stationary run. */
  quietEvents: number;
}

function score(s: Scenario, detections: number[]): Score {
  const quietEnd = s.onsets[0] ?? s.events;
  const delays = s.onsets.map((onset, k) => {
    const end = s.onsets[k + 1] ?? s.events;
    const first = detections.find((d) => d >= onset && d < end);
    return first === undefined ? null : first - onset;
  });
  return { delays, falseAlarms: detections.filter((d) => d < quietEnd).length, quietEvents: quietEnd };
}

const perMillion = (count: number, events: number) => (count / events) * 1e6;

function riverBaseline(runs: { s: Scenario; run: Run }[]): Record<string, Record<'adwin' | 'ddm' | 'kswin', number[]>> & { river: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-detection-'));
  try {
    runs.forEach(({ run }, k) => {
      writeFileSync(join(dir, `s${k}.err`), run.errors);
      writeFileSync(join(dir, `s${k}.feat`), Buffer.from(run.feature.buffer));
    });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(runs.map(({ s }, k) => ({ name: `s${k}`, n: s.events }))));
    const out = spawnSync(PYTHON, [join(__dirname, 'detection_river.py'), dir], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (out.status !== 0) throw new Error(`River baseline failed: ${out.stderr}`);
    return JSON.parse(out.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fmtDelays(sc: Score): string {
  if (!sc.delays.length) return '–';
  return sc.delays.map((d) => (d === null ? 'miss' : String(d))).join(' / ');
}

/** Exact (Garwood) 95 % interval of a Poisson mean from `count` events. */
function poissonInterval(count: number): [number, number] {
  const solve = (f: (mu: number) => number) => {
    let lo = 0;
    let hi = 10 * count + 10;
    for (let i = 0; i < 100; i++) {
      const mid = (lo + hi) / 2;
      if (f(mid) > 0) hi = mid;
      else lo = mid;
    }
    return lo;
  };
  // Lower: P(X ≥ count | μ) = P(count, μ) = 0.025; upper: P(X ≤ count | μ) = Q(count + 1, μ) = 0.025.
  const lower = count === 0 ? 0 : solve((mu) => regularizedGammaP(count, mu) - 0.025);
  const upper = solve((mu) => 0.025 - regularizedGammaQ(count + 1, mu));
  return [lower, upper];
}

/**
 * The false-alarm budget against what it buys: BUDGET_REFERENCES stationary SEA streams of
 * BUDGET_EVENTS events (1 event/s, so 86 400 a day), each with its own warm-up reference
 * (and, with a budget, its own calibration), dataset_drift episodes counted over all.
 */
function budgetRows(): [string, string, string][] {
  const budgets: [string, Partial<ModelConfig>][] = [
    ['1 per 30 days (default persistence 2)', { falseAlarmBudget: { alerts: 1, days: 30, eventsPerDay: 86_400 } }],
    ['2 per day (persistence 1)', { driftPersistence: 1, falseAlarmBudget: { alerts: 2, days: 1, eventsPerDay: 86_400 } }],
    ['none (persistence 1, α = 0.05)', { driftPersistence: 1 }],
  ];
  return budgets.map(([label, override]) => {
    const config = effectiveConfig(DEFAULT_MODEL_CONFIG, override);
    let alerts = 0;
    const alphas: number[] = [];
    for (let r = 0; r < BUDGET_REFERENCES; r++) {
      const s: Scenario = { name: label, events: BUDGET_EVENTS, onsets: [], stream: streams.sea(rng(77 + r), 0), model: streams.seaConcept(0), feature: 'x0' };
      const run = runVigil(s, config);
      alerts += run.driftAlarms.length;
      if (run.calibration) alphas.push(run.calibration.alpha);
    }
    const days = (BUDGET_REFERENCES * BUDGET_EVENTS) / 86_400;
    const [lo, hi] = poissonInterval(alerts).map((mu) => mu / days);
    const budget = config.falseAlarmBudget;
    const design = {
      driftWindow: config.driftWindow,
      driftPersistence: config.driftPersistence,
      columns: 4,
      driftShareThreshold: config.driftShareThreshold,
      correction: config.driftCorrection,
    };
    const proven = budget ? provenDriftAlpha(budget, design) : 0.05;
    const alphaText = alphas.length ? `calibrated α ${Math.min(...alphas).toPrecision(3)}–${Math.max(...alphas).toPrecision(3)}` : 'α 0.05';
    return [
      `budget ${label}`,
      `${(alerts / days).toFixed(3)} false dataset_drift alerts/day (95 % ${lo.toFixed(3)}–${hi.toFixed(3)})`,
      `${alerts} over ${days.toFixed(1)} days (${BUDGET_REFERENCES} references × ${BUDGET_EVENTS} events); ${alphaText}; closed form α ${proven.toPrecision(4)}, bound ${falseDriftAlertsPerDay(proven, design, 86_400).toFixed(3)}/day${budget ? `; budget ${(budget.alerts / budget.days).toFixed(3)}/day` : ''}`,
    ] as [string, string, string];
  });
}

/**
 * Labels LABEL_LAG events after their prediction (fraud chargebacks, purchases): delay in
 * events (= seconds of event time) from the onset, and in labelled events (labels of
 * post-onset predictions read by then; negative when the alarm needed no label).
 */
function labelLagRows(config: ModelConfig): [string, string, string][] {
  return scenarios(1)
    .filter((s) => /^(SEA sudden|SEA covariate|Agrawal sudden|STAGGER sudden)/.test(s.name))
    .map((s) => {
      const run = runVigil(s, config, LABEL_LAG);
      const sc = score(s, run.alarms);
      const d = sc.delays[0];
      const first = run.alarms.findIndex((a) => a >= s.onsets[0]);
      const labelled = d === null ? '' : d >= LABEL_LAG ? `${d - LABEL_LAG} labelled` : 'before any post-onset label';
      return [
        `${s.name}, labels ${LABEL_LAG} events late`,
        d === null ? 'miss' : `${d} events / ${labelled} [${run.alarmRules[first]}]`,
        `FA ${sc.falseAlarms}; retrain ${fmtDelays(score(s, run.retrains))}`,
      ] as [string, string, string];
    });
}

/** The rule behind the first alarm after each onset, and behind each false alarm: what caught it. */
function firstRules(s: Scenario, run: Run): string {
  const quietEnd = s.onsets[0] ?? s.events;
  const caught = s.onsets.map((onset, k) => run.alarms.findIndex((d) => d >= onset && d < (s.onsets[k + 1] ?? s.events)));
  const names = caught.filter((j) => j >= 0).map((j) => run.alarmRules[j]);
  const falseOnes = run.alarms.flatMap((d, j) => (d < quietEnd ? [run.alarmRules[j]] : []));
  return `${names.length ? `[${names.join(', ')}] ` : ''}${falseOnes.length ? `[false: ${falseOnes.join(', ')}] ` : ''}`;
}

function main(): void {
  if (!existsSync(PYTHON)) {
    console.error(`bench:detection needs the bench Python environment (river 0.26.1): bash bench/python/env.sh, or BENCH_PYTHON=<python with river>`);
    process.exitCode = 1;
    return;
  }
  const config = effectiveConfig(DEFAULT_MODEL_CONFIG, {});
  const runs = scenarios(1).map((s) => ({ s, run: runVigil(s, config) }));
  const river = riverBaseline(runs);
  const rows: [string, string, string, string, string, string][] = [];
  const totals = { vigilFalse: 0, vigilRetrain: 0, quiet: 0, river: { adwin: 0, ddm: 0, kswin: 0 } };
  const delayWins = { adwin: 0, ddm: 0, kswin: 0, comparable: 0 };
  const within500 = { met: 0, onsets: 0 };
  runs.forEach(({ s, run }, k) => {
    const vigil = score(s, run.alarms);
    const retrain = score(s, run.retrains);
    const baseline = (['adwin', 'ddm', 'kswin'] as const).map((d) => [d, score(s, river[`s${k}`][d])] as const);
    totals.vigilFalse += vigil.falseAlarms;
    totals.vigilRetrain += retrain.falseAlarms;
    totals.quiet += vigil.quietEvents;
    for (const [d, sc] of baseline) totals.river[d] += sc.falseAlarms;
    for (const d of vigil.delays) {
      within500.onsets += 1;
      if (d !== null && d <= 500) within500.met += 1;
    }
    for (const [d, sc] of baseline) {
      sc.delays.forEach((rd, j) => {
        const vd = vigil.delays[j];
        delayWins.comparable += d === 'adwin' ? 1 : 0;
        if (vd !== null && (rd === null || vd < rd) && vigil.falseAlarms <= sc.falseAlarms) delayWins[d] += 1;
      });
    }
    rows.push([
      s.name,
      `${fmtDelays(vigil)} ${firstRules(s, run)}(FA ${vigil.falseAlarms}, retrain ${fmtDelays(retrain)}, false ${retrain.falseAlarms})`,
      ...baseline.map(([, sc]) => `${fmtDelays(sc)} (FA ${sc.falseAlarms})`),
      `${run.seconds.toFixed(1)} s`,
    ] as [string, string, string, string, string, string]);
  });
  const load = loadavg()[0].toFixed(2);
  console.log(
    `\nbench:detection: ${runs.length} scenarios, onsets at event ${ONSET}, label noise ${LABEL_NOISE}, 1 event/s, labels at once; river ${river.river}; measured under load ${load} (1-min load average, 2 cores)`,
  );
  console.log('\nDelay in labelled events from onset (= seconds of event time), per onset; FA = false alarms before the first onset / in the stationary run.\n');
  const header = ['scenario', 'Vigil (monitor → policy engine)', 'River ADWIN', 'River DDM', 'River KSWIN', 'Vigil time'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  printBenchTable(`Label lag: labels ${LABEL_LAG} events after their prediction (default config)`, labelLagRows(config));
  printBenchTable(`False-alarm budget: measured on ${BUDGET_REFERENCES} stationary SEA streams of ${BUDGET_EVENTS} events, each its own reference`, budgetRows());
  printBenchTable('Goals', [
    ['every real drift flagged within 500 labelled events', `${within500.met} of ${within500.onsets} onsets`, within500.met === within500.onsets ? 'met' : 'not met'],
    [
      'false RetrainRequested per 1M stationary events < 1',
      perMillion(totals.vigilRetrain, totals.quiet).toFixed(2),
      `${totals.vigilRetrain} over ${totals.quiet} quiet events: ${perMillion(totals.vigilRetrain, totals.quiet) < 1 ? 'met' : 'not met'}`,
    ],
    ['Vigil false alarms per 1M quiet events', perMillion(totals.vigilFalse, totals.quiet).toFixed(1), `${totals.vigilFalse} alarms`],
    ...(['adwin', 'ddm', 'kswin'] as const).map(
      (d) =>
        [
          `River ${d.toUpperCase()} false alarms per 1M quiet events`,
          perMillion(totals.river[d], totals.quiet).toFixed(1),
          `${totals.river[d]} alarms; Vigil earlier at ≤ its false alarms on ${delayWins[d]} of ${delayWins.comparable} onsets`,
        ] as [string, string, string],
    ),
  ]);
}

main();
