import { RegressionMetrics, RegressionObservation, RegressionReport } from '../metrics/regression';
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
function randomRegression(rand: () => number): RegressionObservation {
  const actual = 50 + 10 * gaussian(rand);
  return { actual, predicted: actual + 2 * gaussian(rand) + 0.5 };
}

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
