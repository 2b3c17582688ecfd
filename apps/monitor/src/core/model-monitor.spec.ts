import { createHash } from 'node:crypto';
import type { Alert, LabelEvent, MetricSnapshot } from '@vigil/contracts';
import { DatasetSummary } from '@vigil/monitoring';
import { DEFAULT_MODEL_CONFIG, effectiveConfig, ModelConfig } from './model-config';
import { ModelMonitor, PREDICTION_COLUMN } from './model-monitor';
import { mulberry32 as prng } from '@vigil/monitoring';
import { sequentialIds, stoppedClock } from '../../../../test/support/clock';
import { EVENT_T0, labelEvent, predictionEvent } from '../../../../test/support/events';

const T0 = EVENT_T0;
const options = (snapshotIntervalMs = 0) => ({ snapshotIntervalMs, clock: stoppedClock(T0), ids: sequentialIds() });
const prediction = predictionEvent;

/** The label of prediction i, half a second after it unless `time` says otherwise. */
function label(i: number, trueClass: string | null, time = T0 + i * 1000 + 500): LabelEvent {
  return labelEvent(i, { trueClass, eventTime: new Date(time) });
}

function monitor(overrides: Partial<ModelConfig> = {}): ModelMonitor {
  return new ModelMonitor('fraud', effectiveConfig(DEFAULT_MODEL_CONFIG, overrides), options());
}

/**
 * A stationary or shifted stream: features amount ~ U(0,100)+shift and channel ∈ {web, app},
 * the model right with probability `accuracy`, each prediction labelled at once.
 */
function feed(m: ModelMonitor, rand: () => number, from: number, count: number, accuracy: number, shift = 0): Alert[] {
  const alerts: Alert[] = [];
  for (let i = from; i < from + count; i++) {
    const truth = rand() < 0.5 ? 'yes' : 'no';
    const right = rand() < accuracy;
    const predicted = right ? truth : truth === 'yes' ? 'no' : 'yes';
    m.onPrediction(
      prediction(i, {
        predictedClass: predicted,
        numericFeatures: { amount: rand() * 100 + shift },
        categoricalFeatures: { channel: rand() < 0.3 ? 'web' : 'app' },
      }),
    );
    m.onLabel(label(i, truth));
    alerts.push(...m.tick(T0).alerts.map((a) => ({ ...a, evidence: a.evidence, message: `${i}:${a.message}` })));
  }
  return alerts;
}

function versionSnapshot(snapshots: MetricSnapshot[], version = 'v1'): MetricSnapshot {
  const s = snapshots.find((x) => x.modelVersion === version && x.segmentKey === '');
  if (!s) throw new Error(`no snapshot for ${version}`);
  return s;
}

describe('ModelMonitor', () => {
  it('raises no alert over a long stationary stream (20 000 labelled predictions, seed 42)', () => {
    const m = monitor();
    const alerts = feed(m, prng(42), 0, 20_000, 0.9);
    expect(alerts.map((a) => a.rule)).toEqual([]);
    const now = m.currentMetrics().groups.find((g) => g.segmentKey === '')!;
    expect(now.predictionCount).toBe(20_000);
    expect(now.labelledCount).toBe(20_000);
  });

  it('alerts on a sudden accuracy drop within a bounded number of labels, with evidence', () => {
    const m = monitor();
    const rand = prng(7);
    expect(feed(m, rand, 0, 3000, 0.9)).toEqual([]);
    const after = feed(m, rand, 3000, 1000, 0.5);
    expect(after.length).toBeGreaterThan(0);
    const first = after[0];
    const delay = Number(first.message.split(':')[0]) - 3000 + 1;
    // 0.9 → 0.5: the rolling window (500) crosses baseline − 0.1 after ≈ 0.1/0.4·500 = 125
    // labels; the ADWIN detector usually fires earlier. 200 is the bound this test holds it to.
    expect(delay).toBeLessThanOrEqual(200);
    const drop = after.find((a) => a.rule === 'accuracy_drop')!;
    expect(drop).toBeDefined();
    expect(drop.kind).toBe('PERFORMANCE');
    expect(drop.evidence[0].metric).toBe('accuracy');
    expect(drop.evidence[0].sampleSize).toBe(500);
    expect(drop.evidence[0].baseline!).toBeGreaterThan(0.85);
    expect(drop.evidence[0].value).toBeLessThan(drop.evidence[0].threshold!);
    // One alert per episode: 1000 bad labels produce one accuracy_drop, not one per label.
    expect(after.filter((a) => a.rule === 'accuracy_drop')).toHaveLength(1);
    const dropDelay = Number(drop.message.split(':')[0]) - 3000 + 1;
    process.stdout.write(`accuracy drop 0.9→0.5: first alert (${first.rule}) after ${delay} labels, accuracy_drop after ${dropDelay}\n`);
  });

  it('gives no verdict before the minimum number of labels', () => {
    const m = monitor({ accuracyFloor: 0.8, minLabels: 200 });
    let alerts: Alert[] = [];
    for (let i = 0; i < 199; i++) {
      m.onPrediction(prediction(i));
      m.onLabel(label(i, 'no'));
      alerts = alerts.concat(m.tick(T0).alerts);
    }
    expect(alerts).toEqual([]);
    m.onPrediction(prediction(199));
    m.onLabel(label(199, 'no'));
    // The 200th wrong label makes accuracy 0/200 = 0 < 0.8 with enough labels.
    expect(m.tick(T0).alerts.map((a) => a.rule)).toEqual(['accuracy_below_floor']);
  });

  it('reopens an episode only after the metric clears by the margin', () => {
    const m = monitor({ accuracyFloor: 0.5, minLabels: 10, metricWindow: 10, clearMargin: 0.2, detector: 'ddm', minDetectorLabels: 1_000_000 });
    const rules: string[] = [];
    // Pattern per label: right/wrong. Window 10.
    const pattern = [...Array(10).fill(false), ...Array(4).fill(true), ...Array(10).fill(true), ...Array(10).fill(false)];
    pattern.forEach((right, i) => {
      m.onPrediction(prediction(i));
      m.onLabel(label(i, right ? 'yes' : 'no'));
      rules.push(...m.tick(T0).alerts.map((a) => `${i}:${a.rule}`));
    });
    // i=9: 0/10 < 0.5 opens. i=10..13: 1..4/10 still firing, no repeat. Clears at 7/10 ≥ 0.7 (i=16).
    // The last 10 wrong: accuracy falls below 0.5 again at 4/10 (i=29) and a new episode opens.
    expect(rules).toEqual(['9:accuracy_below_floor', '29:accuracy_below_floor']);
  });

  it('keeps versions and segments apart (hand-computed accuracies)', () => {
    const m = monitor();
    // v1: 10 predictions all right. v2: 10 predictions, the even ones right (5/10).
    // Segment country: v1 FR for i<6 (6 right of 6), DE after (4 of 4).
    for (let i = 0; i < 20; i++) {
      const version = i < 10 ? 'v1' : 'v2';
      m.onPrediction(prediction(i, { modelVersion: version, tags: { country: i < 6 ? 'FR' : 'DE' } }));
      m.onLabel(label(i, version === 'v1' || i % 2 === 0 ? 'yes' : 'no'));
    }
    const { snapshots } = m.tick(T0);
    expect(versionSnapshot(snapshots, 'v1').metrics.accuracy).toBe(1);
    expect(versionSnapshot(snapshots, 'v2').metrics.accuracy).toBe(0.5);
    expect(versionSnapshot(snapshots, 'v2').predictionCount).toBe(10);
    const fr = snapshots.find((s) => s.modelVersion === 'v1' && s.segmentValue === 'FR')!;
    const de = snapshots.find((s) => s.modelVersion === 'v1' && s.segmentValue === 'DE')!;
    expect([fr.predictionCount, fr.labelledCount, fr.metrics.accuracy]).toEqual([6, 6, 1]);
    expect([de.predictionCount, de.labelledCount]).toEqual([4, 4]);
    // v2 segment DE: i=10..19, right when even → 5 of 10.
    expect(snapshots.find((s) => s.modelVersion === 'v2' && s.segmentValue === 'DE')!.metrics.accuracy).toBe(0.5);
    // Snapshot window on event time: first prediction of v1 at T0 + 0 s, last at T0 + 9 s.
    expect(versionSnapshot(snapshots, 'v1').windowStart.getTime()).toBe(T0);
    expect(versionSnapshot(snapshots, 'v1').windowEnd.getTime()).toBe(T0 + 9000);
    // Nothing changed since: no new snapshot.
    expect(m.tick(T0 + 1).snapshots).toEqual([]);
  });

  it('bounds segment groups by maxGroups and counts the refused ones', () => {
    const m = monitor({ maxGroups: 2 });
    ['FR', 'DE', 'IT', 'IT'].forEach((country, i) => m.onPrediction(prediction(i, { tags: { country } })));
    const now = m.currentMetrics();
    // The version group is always kept; FR and DE fill the 2 segment slots; IT is refused twice.
    expect(now.groups.map((g) => `${g.segmentKey}=${g.segmentValue}:${g.predictionCount}`)).toEqual(['=:4', 'country=FR:1', 'country=DE:1']);
    expect(now.labels.groupsRefused).toBe(2);
  });

  it('joins late and early labels and counts unknown ones', () => {
    const m = monitor();
    m.onPrediction(prediction(1));
    m.onPrediction(prediction(2));
    // A label arriving before its prediction waits and joins when the prediction comes.
    m.onLabel(label(3, 'yes'));
    expect(m.currentMetrics().labels.waiting).toBe(1);
    m.onPrediction(prediction(3));
    // A late label (an hour after its prediction, other predictions in between) still joins.
    for (let i = 4; i < 10; i++) m.onPrediction(prediction(i));
    expect(m.onLabel(label(1, 'no', T0 + 3_600_000))).toBe(true);
    // A label for a prediction that never comes: unknown once the 60 s early-label TTL passes.
    m.onLabel({ ...label(999, 'yes', T0 + 3_600_000) });
    m.onPrediction(prediction(5000)); // watermark T0 + 5000 s > label time + 60 s
    m.tick(T0);
    const now = m.currentMetrics();
    expect(now.labels.unknown).toBe(1);
    expect(now.labels.joined).toBe(2);
    const v1 = now.groups.find((g) => g.segmentKey === '')!;
    // p3 right (yes/yes), p1 wrong (yes/no) → 1/2.
    expect(v1.metrics.accuracy).toBe(0.5);
    expect(v1.labelledCount).toBe(2);
  });

  it('keeps labels read ahead of their predictions until the prediction stream passes them', () => {
    const m = monitor();
    // Replay order: all 200 labels (event times up to T0 + 200 s) before any prediction.
    for (let i = 0; i < 200; i++) m.onLabel(label(i, 'yes'));
    m.tick(T0);
    for (let i = 0; i < 200; i++) m.onPrediction(prediction(i));
    m.tick(T0);
    const now = m.currentMetrics();
    expect(now.labels.unknown).toBe(0);
    expect(now.groups.find((g) => g.segmentKey === '')!.labelledCount).toBe(200);
  });

  it('scores regression predictions with MAE (hand-computed)', () => {
    const m = monitor();
    // Predicted 10, 20, 30 for actual 12, 20, 27: |errors| 2, 0, 3 → MAE 5/3, mean error (−2 + 0 + 3)/3 = 1/3.
    [
      [10, 12],
      [20, 20],
      [30, 27],
    ].forEach(([predicted, actual], i) => {
      m.onLabel({ ...label(i, null), trueValue: actual });
      m.onPrediction(prediction(i, { task: 'REGRESSION', predictedClass: null, predictedValue: predicted }));
    });
    const g = m.currentMetrics().groups.find((x) => x.segmentKey === '')!;
    expect(g.metrics.mae).toBeCloseTo(5 / 3, 12);
    expect(g.metrics.mean_error).toBeCloseTo(1 / 3, 12);
    expect(g.labelledCount).toBe(3);
  });

  it('alerts on a shifted feature against the production reference', () => {
    const m = monitor({ referenceSize: 1000, driftWindow: 500 });
    const rand = prng(3);
    expect(feed(m, rand, 0, 3000, 0.9)).toEqual([]);
    // amount shifts by +50 (half its range): KS on 500 vs 1000 rows rejects at once; the
    // alert waits for the second window in a row (driftPersistence 2).
    const after = feed(m, rand, 3000, 1000, 0.9, 50);
    // Only amount moved (prediction and channel are unchanged): share 1/3 < 0.5 in the first
    // shifted window. In the second, channel also fails its χ² test by chance (p ≈ 0.014 with
    // this seed): share 2/3, but one window alone does not alert (driftPersistence 2).
    expect(after.find((a) => a.rule === 'dataset_drift')).toBeUndefined();
    const quality = after.find((a) => a.rule === 'data_quality')!;
    expect(quality.evidence.map((e) => `${e.feature}.${e.metric}`)).toContain('amount.quality.out_of_range_rate');
    const v1 = m.currentMetrics().groups.find((g) => g.segmentKey === '')!;
    expect(v1.metrics['drift.amount.p_value']).toBeLessThan(0.05);
    expect(v1.metrics['drift.channel.p_value']).toBeLessThan(0.05);
    expect(v1.metrics['drift.share']).toBeCloseTo(2 / 3, 10);
  });

  it('uses a registered reference and alerts when most columns drift', () => {
    const m = monitor({ driftWindow: 100 });
    const rand = prng(11);
    const reference = new DatasetSummary({ amount: 'numeric', channel: 'categorical', [PREDICTION_COLUMN]: 'categorical' });
    for (let i = 0; i < 1000; i++) reference.addRow({ amount: rand() * 100, channel: rand() < 0.3 ? 'web' : 'app', [PREDICTION_COLUMN]: rand() < 0.5 ? 'yes' : 'no' });
    m.setReference(reference);
    const alerts: Alert[] = [];
    for (let i = 0; i < 200; i++) {
      m.onPrediction(prediction(i, { predictedClass: 'yes', numericFeatures: { amount: 200 + rand() }, categoricalFeatures: { channel: 'web' } }));
      alerts.push(...m.tick(T0).alerts);
    }
    const drift = alerts.find((a) => a.rule === 'dataset_drift')!;
    expect(drift.kind).toBe('DRIFT');
    // Two windows of 100 (driftPersistence 2); all three columns moved: share 3/3.
    expect(alerts.filter((a) => a.rule === 'dataset_drift')).toHaveLength(1);
    expect(drift.evidence.find((e) => e.metric === 'drift.share')).toMatchObject({ value: 1, sampleSize: 100 });
    expect(
      drift.evidence
        .filter((e) => e.feature !== null)
        .map((e) => e.feature)
        .sort(),
    ).toEqual([PREDICTION_COLUMN, 'amount', 'channel'].sort());
    expect(m.currentMetrics().reference).toEqual({ source: 'registered', rows: 1000 });
  });

  it('continues from a JSON checkpoint exactly as without interruption', () => {
    const straight = monitor();
    const split = monitor();
    feed(straight, prng(5), 0, 1500, 0.8);
    feed(split, prng(5), 0, 1000, 0.8);
    // Predictions 1500..1509 still wait for their labels when the checkpoint is taken.
    for (let i = 1500; i < 1510; i++) {
      straight.onPrediction(prediction(i));
    }
    const restored = ModelMonitor.fromJSON(JSON.parse(JSON.stringify(split.toJSON())), split.currentConfig, options());
    // Replay the same tail (same seed, skipping the first 1000 draws × 4 calls).
    const rand = prng(5);
    for (let i = 0; i < 1000 * 4; i++) rand();
    feed(restored, rand, 1000, 500, 0.8);
    for (let i = 1500; i < 1510; i++) restored.onPrediction(prediction(i));
    const cp2 = ModelMonitor.fromJSON(JSON.parse(JSON.stringify(restored.toJSON())), restored.currentConfig, options());
    for (let i = 1500; i < 1510; i++) {
      straight.onLabel(label(i, 'yes'));
      cp2.onLabel(label(i, 'yes'));
    }
    const a = straight.currentMetrics().groups.find((g) => g.segmentKey === '')!;
    const b = cp2.currentMetrics().groups.find((g) => g.segmentKey === '')!;
    expect(b.predictionCount).toBe(1510);
    expect(b.labelledCount).toBe(1510);
    // Latency quantiles cover one snapshot interval and restart empty after a restore.
    const withoutLatency = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).filter(([k]) => !k.startsWith('latency_')));
    expect(withoutLatency(b.metrics)).toEqual(withoutLatency(a.metrics));
  });

  it('checkpoints its drift reference apart, named by the sha256 of its JSON, and continues from the pair exactly', () => {
    const m = monitor();
    const rand = prng(7);
    feed(m, rand, 0, 999, 0.8);
    // One prediction short of the default referenceSize (1000): still warming up, nothing apart.
    const warming = m.toCheckpoint();
    expect(warming.reference).toBeNull();
    expect(warming.state.referenceId).toBeUndefined();
    expect(warming.state.warmupRows).toBe(999);
    feed(m, rand, 999, 301, 0.8);
    const full = m.toJSON();
    const { state, reference } = m.toCheckpoint();
    // The id is the formula itself: sha256 over the JSON text of the inline reference.
    const id = createHash('sha256').update(JSON.stringify(full.reference)).digest('hex');
    expect(reference?.id).toBe(id);
    expect(state.referenceId).toBe(id);
    expect(state.reference).toBeNull();
    expect(reference!.summary()).toEqual(full.reference);
    expect({ ...state, reference: full.reference, referenceId: undefined }).toEqual({ ...full, referenceId: undefined });
    // Restored from the stored pair, it goes on as the uninterrupted monitor does.
    const restored = ModelMonitor.fromJSON(JSON.parse(JSON.stringify({ ...state, reference: reference!.summary() })), m.currentConfig, options());
    expect(restored.toCheckpoint().state.referenceId).toBe(id);
    const tail = prng(8);
    const again = prng(8);
    expect(feed(restored, tail, 1300, 700, 0.8)).toEqual(feed(m, again, 1300, 700, 0.8));
    expect(restored.toJSON()).toEqual(m.toJSON());
    // A registered reference is new content, so a new id.
    const registered = new DatasetSummary({ amount: 'numeric', channel: 'categorical', [PREDICTION_COLUMN]: 'categorical' });
    for (let i = 0; i < 100; i++) registered.addRow({ amount: i, channel: 'web', [PREDICTION_COLUMN]: 'yes' });
    m.setReference(registered);
    const next = m.toCheckpoint().reference!;
    expect(next.id).toBe(createHash('sha256').update(JSON.stringify(registered.toJSON())).digest('hex'));
    expect(next.id).not.toBe(id);
  });

  it('keeps labels read before their prediction across a checkpoint', () => {
    const m = monitor();
    // Labels 0..4 come first (a replay reading the labels topic ahead); none can be scored yet.
    for (let i = 0; i < 5; i++) expect(m.onLabel(label(i, 'yes'))).toBe(false);
    expect(m.waitingLabels()).toBe(5);
    const restored = ModelMonitor.fromJSON(JSON.parse(JSON.stringify(m.toJSON())), m.currentConfig, options());
    expect(restored.waitingLabels()).toBe(5);
    for (let i = 0; i < 5; i++) restored.onPrediction(prediction(i, { predictedClass: i < 4 ? 'yes' : 'no' }));
    const g = restored.currentMetrics().groups.find((x) => x.segmentKey === '')!;
    expect(restored.waitingLabels()).toBe(0);
    expect(g.labelledCount).toBe(5);
    // 4 of the 5 predictions said 'yes' like their labels.
    expect(g.metrics.accuracy).toBeCloseTo(4 / 5, 12);
  });
});
