import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gaussian, mulberry32 } from '../random';
import { ClassificationMetrics, ClassificationObservation, ClassificationReport } from './classification';
import { groupKeyId, groupKeysFor, KeyedGroups } from './keyed-groups';
import { LatencySketch } from './latency';
import { RegressionMetrics, RegressionObservation } from './regression';
import { RocAucCounter } from './roc-auc';

// Reference values: tools/fixtures/gen_metrics_fixtures.py (scikit-learn, numpy ECE).
interface ClsExpected {
  labels: string[];
  accuracy: number;
  per_class: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  macro: { precision: number; recall: number; f1: number };
  weighted: { precision: number; recall: number; f1: number };
  confusion_matrix: number[][];
  roc_auc?: number;
  log_loss?: number;
  ece?: number;
}
interface ClsFixture {
  sklearn_version: string;
  cases: { name: string; positive_label?: string; observations: ClassificationObservation[]; expected: ClsExpected }[];
}
interface RegFixture {
  cases: { name: string; observations: RegressionObservation[]; expected: { mae: number; rmse: number; mape: number; r2: number; mean_error: number } }[];
}
const fixture = <T>(name: string): T => JSON.parse(readFileSync(join(__dirname, '../../fixtures', name), 'utf8')) as T;
const cls = fixture<ClsFixture>('metrics-classification.json');
const reg = fixture<RegFixture>('metrics-regression.json');

const TOL = 1e-9;
const close = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(expected)));

function expectReport(r: ClassificationReport, e: ClsExpected): void {
  expect(r.labels).toEqual(e.labels);
  expect(r.confusionMatrix).toEqual(e.confusion_matrix);
  close(r.accuracy, e.accuracy);
  for (const label of e.labels) {
    const got = r.perClass[label];
    const want = e.per_class[label];
    close(got.precision, want.precision);
    close(got.recall, want.recall);
    close(got.f1, want.f1);
    expect(got.support).toBe(want.support);
  }
  for (const avg of ['macro', 'weighted'] as const) {
    close(r[avg].precision, e[avg].precision);
    close(r[avg].recall, e[avg].recall);
    close(r[avg].f1, e[avg].f1);
  }
  if (e.roc_auc !== undefined) close(r.rocAuc, e.roc_auc);
  else expect(r.rocAuc).toBeNaN();
  if (e.log_loss !== undefined) close(r.logLoss, e.log_loss);
  if (e.ece !== undefined) close(r.expectedCalibrationError, e.ece);
}

describe('classification metrics match scikit-learn ' + cls.sklearn_version, () => {
  it.each(cls.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const m = new ClassificationMetrics({ positiveLabel: c.positive_label });
    c.observations.forEach((o) => m.add(o));
    expectReport(m.report(), c.expected);
  });

  it.each(cls.cases.map((c) => [c.name, c] as const))('%s: merge of two halves = whole', (_name, c) => {
    const a = new ClassificationMetrics({ positiveLabel: c.positive_label });
    const b = new ClassificationMetrics({ positiveLabel: c.positive_label });
    const half = Math.floor(c.observations.length / 2);
    c.observations.forEach((o, i) => (i < half ? b : a).add(o)); // b sees labels in a different first-seen order
    a.merge(b);
    expectReport(a.report(), c.expected);
  });

  it.each(cls.cases.map((c) => [c.name, c] as const))('%s: add everything plus extra, remove the extra', (_name, c) => {
    const m = new ClassificationMetrics({ positiveLabel: c.positive_label });
    const extra = c.observations.slice(0, 50);
    extra.forEach((o) => m.add(o));
    c.observations.forEach((o) => m.add(o));
    extra.forEach((o) => m.remove(o));
    expectReport(m.report(), c.expected);
  });
});

describe('regression metrics match scikit-learn', () => {
  it.each(reg.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const m = new RegressionMetrics();
    c.observations.forEach((o) => m.add(o));
    const r = m.report();
    close(r.mae, c.expected.mae);
    close(r.rmse, c.expected.rmse);
    close(r.mape, c.expected.mape);
    close(r.r2, c.expected.r2);
    close(r.meanError, c.expected.mean_error);
    expect(r.count).toBe(c.observations.length);
  });

  it.each(reg.cases.map((c) => [c.name, c] as const))('%s: merge of three parts = whole', (_name, c) => {
    const parts = [new RegressionMetrics(), new RegressionMetrics(), new RegressionMetrics()];
    c.observations.forEach((o, i) => parts[i % 3].add(o));
    parts[0].merge(parts[1]);
    parts[0].merge(parts[2]);
    const r = parts[0].report();
    close(r.r2, c.expected.r2);
    close(r.rmse, c.expected.rmse);
  });

  it('r2 follows scikit-learn force_finite for constant actuals (r2_score docs: 1.0 if perfect else 0.0)', () => {
    const m = new RegressionMetrics();
    m.add({ predicted: 2, actual: 2 });
    m.add({ predicted: 2, actual: 2 });
    expect(m.report().r2).toBe(1);
    m.add({ predicted: 3, actual: 2 });
    expect(m.report().r2).toBe(0);
  });
});

describe('RocAucCounter', () => {
  it('counts ties as one half (Mann–Whitney): scores pos {0.5}, neg {0.5} give 0.5', () => {
    const c = new RocAucCounter();
    c.add(0.5, true);
    c.add(0.5, false);
    expect(c.value()).toBe(0.5);
  });

  it('hand-computed: pos {0.9, 0.4}, neg {0.5, 0.1} → 3 of 4 pairs ordered = 0.75', () => {
    const c = new RocAucCounter();
    [0.9, 0.4].forEach((s) => c.add(s, true));
    [0.5, 0.1].forEach((s) => c.add(s, false));
    expect(c.value()).toBe(0.75);
    c.remove(0.4, true);
    expect(c.value()).toBe(1);
  });

  it('is NaN with a single class', () => {
    const c = new RocAucCounter();
    c.add(0.3, true);
    expect(c.value()).toBeNaN();
  });
});

describe('LatencySketch (DDSketch, 1 % relative accuracy)', () => {
  it('round-trips through JSON exactly: quantiles, count, min, max', () => {
    const a = new LatencySketch();
    for (let i = 1; i <= 1000; i++) a.add(i * 0.37);
    const b = LatencySketch.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(b.summary()).toEqual(a.summary());
    expect(LatencySketch.fromJSON(new LatencySketch().toJSON()).summary().count).toBe(0);
    // Merges like the original: 1000 + 1000 values.
    b.merge(a);
    expect(b.count).toBe(2000);
  });

  it('p50/p95/p99 within 1 % of the exact order statistic, also after merge', () => {
    const rand = mulberry32(7);
    const values: number[] = [];
    const a = new LatencySketch();
    const b = new LatencySketch();
    for (let i = 0; i < 20_000; i++) {
      const v = Math.exp(3 + gaussian(rand)); // log-normal latencies, ms
      values.push(v);
      (i % 2 ? a : b).add(v);
    }
    a.merge(b);
    values.sort((x, y) => x - y);
    for (const q of [0.5, 0.95, 0.99]) {
      // DDSketch's rank convention: ⌊q·(n − 1)⌋ (sketches-js getValueAtQuantile).
      const exact = values[Math.floor(q * (values.length - 1))];
      expect(Math.abs(a.quantile(q) - exact)).toBeLessThanOrEqual(0.01 * exact);
    }
    const s = a.summary();
    expect(s.count).toBe(20_000);
    expect(s.max).toBe(values[values.length - 1]);
  });

  it('rejects negative latencies', () => {
    expect(() => new LatencySketch().add(-1)).toThrow(RangeError);
  });
});

describe('KeyedGroups', () => {
  it('feeds the model, its version and each configured segment', () => {
    const groups = new KeyedGroups(() => new RegressionMetrics());
    const event = { model: 'churn', version: '3', tags: { country: 'FR', channel: 'web' } };
    groups.forEvent(event, ['country'], (m) => m.add({ predicted: 1, actual: 0 }));
    groups.forEvent({ model: 'churn', version: '4' }, ['country'], (m) => m.add({ predicted: 0, actual: 0 }));
    expect(groups.size).toBe(4); // churn, churn@3, churn@3/country=FR, churn@4
    expect(groups.peek({ model: 'churn' })!.count).toBe(2);
    expect(groups.peek({ model: 'churn', version: '3', segment: { tag: 'country', value: 'FR' } })!.count).toBe(1);
    expect(groupKeysFor(event, ['country', 'channel']).map(groupKeyId)).toHaveLength(4);
  });

  it('refuses groups beyond maxGroups and counts them', () => {
    const groups = new KeyedGroups(() => 0, 2);
    expect(groups.get({ model: 'a' })).toBe(0);
    expect(groups.get({ model: 'b' })).toBe(0);
    expect(groups.get({ model: 'c' })).toBeUndefined();
    expect(groups.rejected).toBe(1);
  });
});
