import { mulberry32 } from '../random';
import { LabelJoin } from './label-join';

interface P {
  eventId: string;
  model: string;
  time: number;
  predicted: string;
}
interface L {
  eventId: string;
  model: string;
  time: number;
  actual: string;
}
const pred = (id: string, time: number, model = 'm'): P => ({ eventId: id, model, time, predicted: 'x' });
const lab = (id: string, time: number, model = 'm'): L => ({ eventId: id, model, time, actual: 'x' });
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

describe('LabelJoin', () => {
  it('joins a label that arrives days later, with its delay', () => {
    const j = new LabelJoin<P, L>({ lookbackMs: 7 * DAY, maxPendingPerModel: 100 });
    expect(j.addPrediction(pred('e1', 0))).toBeUndefined();
    const pair = j.addLabel(lab('e1', 3 * DAY));
    expect(pair?.prediction.eventId).toBe('e1');
    expect(pair?.labelDelayMs).toBe(3 * DAY);
    expect(j.stats('m')).toMatchObject({ predictions: 1, labels: 1, joined: 1, pending: 0 });
  });

  it('holds a label that arrives before its prediction, within the TTL only', () => {
    const j = new LabelJoin<P, L>({ lookbackMs: DAY, maxPendingPerModel: 100, earlyLabelTtlMs: MIN });
    expect(j.addLabel(lab('e1', 1000))).toBeUndefined();
    expect(j.addPrediction(pred('e1', 900))?.label.eventId).toBe('e1');
    j.addLabel(lab('e2', 1000));
    j.expire(1000 + MIN);
    expect(j.addPrediction(pred('e2', 1100))).toBeUndefined();
    expect(j.stats('m')).toMatchObject({ joined: 1, expiredEarlyLabels: 1, pending: 1, pendingLabels: 0 });
  });

  it('lists the labels still waiting for their prediction, oldest first', () => {
    const j = new LabelJoin<P, L>({ lookbackMs: DAY, maxPendingPerModel: 100 });
    j.addLabel(lab('e1', 1));
    j.addLabel(lab('e2', 2));
    j.addLabel(lab('e3', 3));
    j.addPrediction(pred('e2', 0)); // joins e2: e1 and e3 still wait
    expect(j.earlyLabels('m').map((l) => l.eventId)).toEqual(['e1', 'e3']);
    expect(j.earlyLabels('other')).toEqual([]);
  });

  it('ignores and counts duplicate predictions and labels, before and after the join', () => {
    const j = new LabelJoin<P, L>({ lookbackMs: DAY, maxPendingPerModel: 100 });
    j.addPrediction(pred('e1', 0));
    j.addPrediction(pred('e1', 0));
    j.addLabel(lab('e1', 10));
    j.addLabel(lab('e1', 11));
    j.addPrediction(pred('e1', 0));
    j.addLabel(lab('e2', 5));
    j.addLabel(lab('e2', 6));
    expect(j.stats('m')).toMatchObject({ predictions: 1, labels: 2, joined: 1, duplicatePredictions: 2, duplicateLabels: 2 });
  });

  it('expires predictions at time + lookback and reports coverage', () => {
    const j = new LabelJoin<P, L>({ lookbackMs: 1000, maxPendingPerModel: 100 });
    for (let i = 0; i < 10; i++) j.addPrediction(pred(`e${i}`, i * 100));
    for (let i = 0; i < 10; i += 2) j.addLabel(lab(`e${i}`, 1200)); // 5 of 10 labelled
    expect(j.labelCoverage('m')).toBe(1); // decided so far: only the 5 joined; the 5 others are pending
    expect(j.expire(1499).map((p) => p.eventId)).toEqual(['e1', 'e3']); // 100+1000, 300+1000 ≤ 1499
    expect(j.expire(5000)).toHaveLength(3);
    expect(j.labelCoverage('m')).toBe(0.5);
    expect(j.stats('m')).toMatchObject({ expiredPredictions: 5, joined: 5, pending: 0 });
  });

  it('evicts the oldest pending prediction beyond maxPendingPerModel, per model, and counts it', () => {
    const j = new LabelJoin<P, L>({ lookbackMs: DAY, maxPendingPerModel: 3 });
    for (let i = 0; i < 5; i++) j.addPrediction(pred(`a${i}`, i, 'a'));
    j.addPrediction(pred('b0', 0, 'b'));
    expect(j.stats('a')).toMatchObject({ pending: 3, evictedPredictions: 2 });
    expect(j.stats('b')).toMatchObject({ pending: 1, evictedPredictions: 0 });
    expect(j.addLabel(lab('a0', 10, 'a'))).toBeUndefined(); // evicted: held as an early label
    expect(j.addLabel(lab('a4', 10, 'a'))).toBeDefined();
  });

  it('state stays bounded and every prediction is accounted for (seeded random stream)', () => {
    const rand = mulberry32(42);
    const j = new LabelJoin<P, L>({ lookbackMs: 5000, maxPendingPerModel: 500, earlyLabelTtlMs: 200, maxEarlyLabelsPerModel: 50 });
    let t = 0;
    const labels: { at: number; l: L }[] = [];
    let maxPending = 0;
    for (let i = 0; i < 20_000; i++) {
      t += 1 + Math.floor(rand() * 3);
      j.addPrediction(pred(`e${i}`, t));
      if (rand() < 0.05) j.addPrediction(pred(`e${i}`, t)); // duplicate
      if (rand() < 0.7) labels.push({ at: t + Math.floor(rand() * 8000) - 50, l: lab(`e${i}`, t + 10) });
      labels.sort((a, b) => a.at - b.at);
      while (labels.length && labels[0].at <= t) j.addLabel(labels.shift()!.l);
      if (i % 100 === 0) j.expire(t);
      maxPending = Math.max(maxPending, j.stats('m').pending);
    }
    j.expire(Infinity);
    const s = j.stats('m');
    expect(maxPending).toBeLessThanOrEqual(500);
    expect(s.predictions).toBe(20_000);
    expect(s.joined + s.expiredPredictions + s.evictedPredictions + s.pending).toBe(s.predictions);
    expect(s.duplicatePredictions).toBeGreaterThan(0);
    expect(j.labelCoverage('m')).toBeGreaterThan(0);
  });
});
