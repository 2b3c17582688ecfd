import { ClassificationMetrics, ClassificationObservation, ClassificationReport } from '../metrics/classification';
import { RegressionMetrics, RegressionObservation, RegressionReport } from '../metrics/regression';
import { CountSlidingWindow, CountTumblingWindow } from './count-window';
import { gaussian, mulberry32 } from '../random';
import { TimeWindow } from './time-window';

const TOL = 1e-9;
function expectClose(a: number, b: number): void {
  if (Number.isNaN(b)) expect(a).toBeNaN();
  else expect(Math.abs(a - b)).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(b)));
}
function expectSameRegression(a: RegressionReport, b: RegressionReport): void {
  expect(a.count).toBe(b.count);
  for (const k of ['mae', 'rmse', 'mape', 'r2', 'meanError'] as const) expectClose(a[k], b[k]);
}
function expectSameClassification(a: ClassificationReport, b: ClassificationReport): void {
  expect(a.count).toBe(b.count);
  // The incremental side may still list labels whose counts dropped to zero; compare on b's labels.
  for (const label of b.labels) {
    for (const k of ['precision', 'recall', 'f1', 'support'] as const) {
      expectClose(a.perClass[label]?.[k] ?? 0, b.perClass[label][k]);
    }
  }
  for (const k of ['accuracy', 'rocAuc', 'logLoss', 'expectedCalibrationError'] as const) expectClose(a[k], b[k]);
}

const LABELS = ['a', 'b', 'c'];
function randomClassification(rand: () => number): ClassificationObservation {
  const actual = LABELS[Math.floor(rand() * 3)];
  const raw = LABELS.map((l) => (l === actual ? 2 : 0.5) * rand() + 1e-3);
  const total = raw.reduce((s, v) => s + v, 0);
  // Scores rounded to 2 decimals so the AUC sees ties.
  const scores = Object.fromEntries(LABELS.map((l, i) => [l, Math.round((raw[i] / total) * 100) / 100]));
  const predicted = rand() < 0.8 ? LABELS.reduce((best, l) => (scores[l] > scores[best] ? l : best), 'a') : LABELS[Math.floor(rand() * 3)];
  return { predicted, actual, scores };
}
function randomRegression(rand: () => number): RegressionObservation {
  const actual = 50 + 10 * gaussian(rand);
  return { actual, predicted: actual + 2 * gaussian(rand) + 0.5 };
}

describe('CountSlidingWindow: incremental value = recomputation over the same window', () => {
  it.each([1, 2, 3])('classification, seed %i', (seed) => {
    const rand = mulberry32(seed);
    const w = new CountSlidingWindow<ClassificationObservation, ClassificationMetrics>(250, new ClassificationMetrics());
    for (let i = 0; i < 3000; i++) {
      w.add(randomClassification(rand));
      if (i % 97 === 0 || i === 2999) {
        const scratch = new ClassificationMetrics();
        for (const o of w.values()) scratch.add(o);
        expectSameClassification(w.aggregate.report(), scratch.report());
      }
    }
    expect(w.count).toBe(250);
    expect(w.total).toBe(3000);
  });

  it.each([4, 5, 6])('regression, seed %i', (seed) => {
    const rand = mulberry32(seed);
    const w = new CountSlidingWindow<RegressionObservation, RegressionMetrics>(300, new RegressionMetrics());
    for (let i = 0; i < 5000; i++) {
      w.add(randomRegression(rand));
      if (i % 89 === 0 || i === 4999) {
        const scratch = new RegressionMetrics();
        for (const o of w.values()) scratch.add(o);
        expectSameRegression(w.aggregate.report(), scratch.report());
      }
    }
  });

  it('returns the evicted value', () => {
    const sums = { s: 0, add(v: number) { this.s += v; }, remove(v: number) { this.s -= v; } };
    const w = new CountSlidingWindow(2, sums);
    expect(w.add(1)).toBeUndefined();
    expect(w.add(2)).toBeUndefined();
    expect(w.add(3)).toBe(1);
    expect(sums.s).toBe(5);
    expect([...w.values()]).toEqual([2, 3]);
  });
});

describe('CountTumblingWindow', () => {
  it('closes every `size` values and flushes the rest', () => {
    const w = new CountTumblingWindow(100, () => new RegressionMetrics());
    const closed = [];
    const rand = mulberry32(9);
    for (let i = 0; i < 350; i++) {
      const c = w.add(randomRegression(rand));
      if (c) closed.push(c);
    }
    expect(closed.map((c) => [c.index, c.count])).toEqual([[0, 100], [1, 100], [2, 100]]);
    expect(w.flush()?.count).toBe(50);
    expect(w.flush()).toBeUndefined();
  });
});

interface TimedEvent {
  time: number;
  o: RegressionObservation;
}

/** Event times increase on average but arrive out of order by up to `jitter`, with rare very late events. */
function outOfOrderStream(seed: number, n: number, jitter: number): TimedEvent[] {
  const rand = mulberry32(seed);
  const out: TimedEvent[] = [];
  let clock = 1_000_000;
  for (let i = 0; i < n; i++) {
    clock += Math.floor(rand() * 20);
    const late = rand() < 0.02 ? Math.floor(rand() * 5 * jitter) : Math.floor(rand() * jitter);
    out.push({ time: clock - late, o: randomRegression(rand) });
  }
  return out;
}

describe.each([
  { size: 1000, slide: 1000, allowedLateness: 0, label: 'tumbling, no lateness' },
  { size: 1000, slide: 1000, allowedLateness: 300, label: 'tumbling, lateness 300' },
  { size: 2000, slide: 500, allowedLateness: 250, label: 'sliding 2000/500, lateness 250' },
  { size: 3000, slide: 100, allowedLateness: 1000, label: 'sliding 3000/100, lateness 1000' },
])('TimeWindow $label: every closed window = recomputation over its accepted events', ({ size, slide, allowedLateness }) => {
  it.each([11, 12, 13])('seed %i', (seed) => {
    const events = outOfOrderStream(seed, 4000, 400);
    const w = new TimeWindow({ size, slide, allowedLateness }, () => new RegressionMetrics());
    const accepted: TimedEvent[] = [];
    let watermark = -Infinity;
    let expectedDropped = 0;
    const closed = [];
    for (const e of events) {
      if (e.time < watermark - allowedLateness) expectedDropped += 1;
      else accepted.push(e);
      watermark = Math.max(watermark, e.time);
      closed.push(...w.add(e.time, e.o));
      // Bounded memory: panes ≤ (size + lateness)/slide + 1 (+1 for a pane opened ahead of the watermark's)
      expect(w.paneCount).toBeLessThanOrEqual((size + allowedLateness) / slide + 2);
    }
    expect(w.dropped).toBe(expectedDropped);
    expect(w.accepted + w.dropped).toBe(events.length);
    closed.push(...w.flush());
    // Windows come out once each, in start order, and hold exactly their events.
    const starts = closed.map((c) => c.start);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(new Set(starts).size).toBe(starts.length);
    for (const c of closed) {
      expect(c.end - c.start).toBe(size);
      const scratch = new RegressionMetrics();
      for (const e of accepted) if (e.time >= c.start && e.time < c.end) scratch.add(e.o);
      expectSameRegression(c.aggregate.report(), scratch.report());
      expect(c.count).toBe(scratch.count);
    }
    // Every non-empty aligned window was emitted.
    const nonEmpty = new Set<number>();
    for (const e of accepted) {
      const last = Math.floor(e.time / slide);
      for (let k = last - size / slide + 1; k <= last; k++) nonEmpty.add(k * slide);
    }
    expect(new Set(starts)).toEqual(nonEmpty);
  });
});

describe('TimeWindow basics', () => {
  it('drops and counts an event older than watermark − lateness', () => {
    const w = new TimeWindow({ size: 10, allowedLateness: 5 }, () => new RegressionMetrics());
    w.add(100, { predicted: 1, actual: 1 });
    w.add(96, { predicted: 1, actual: 1 }); // 96 ≥ 100 − 5: accepted
    w.add(94, { predicted: 1, actual: 1 }); // 94 < 95: dropped
    expect(w.dropped).toBe(1);
    expect(w.accepted).toBe(2);
  });

  it('current() is the open window ending at the watermark', () => {
    const w = new TimeWindow({ size: 30, slide: 10 }, () => new RegressionMetrics());
    [5, 15, 25, 35].forEach((t) => w.add(t, { predicted: t, actual: 0 }));
    const cur = w.current();
    expect([cur.start, cur.end, cur.count]).toEqual([10, 40, 3]);
    expect(cur.aggregate.report().meanError).toBe(25); // (15 + 25 + 35) / 3
  });

  it('advanceTo closes idle windows without an event', () => {
    const w = new TimeWindow({ size: 10 }, () => new RegressionMetrics());
    w.add(3, { predicted: 1, actual: 0 });
    expect(w.advanceTo(9)).toHaveLength(0);
    expect(w.advanceTo(10).map((c) => [c.start, c.end, c.count])).toEqual([[0, 10, 1]]);
  });

  it('rejects a slide that does not divide the size', () => {
    expect(() => new TimeWindow({ size: 10, slide: 3 }, () => new RegressionMetrics())).toThrow(RangeError);
  });
});
