import { computeDatasetDrift, DatasetSummary } from '@vigil/monitoring';
import { EVENT_T0 } from '../../../../../test/support/events';
import { DEFAULT_MODEL_CONFIG } from '../model-config';
import { DatasetDriftRule } from './dataset-drift';

/** 100 rows: amount = offset + 0..99, channel alternating web / app. */
function summary(offset: number): DatasetSummary {
  const s = new DatasetSummary({ amount: 'numeric', channel: 'categorical' });
  for (let i = 0; i < 100; i++) s.addRow({ amount: offset + i, channel: i % 2 === 0 ? 'web' : 'app' });
  return s;
}

describe('DatasetDriftRule on hand-computed windows', () => {
  const reference = summary(0).columns;
  const window = { start: EVENT_T0, end: EVENT_T0 + 99_000, rows: 100 };

  it('fires once the drifted share has held driftPersistence windows, clears on a window below it', () => {
    const rule = new DatasetDriftRule({ ...DEFAULT_MODEL_CONFIG, driftPersistence: 2 });
    // amount moved by +200: its 100 values all exceed the reference's, KS D = 1; channel is unchanged.
    // 1 of 2 columns drifted: share 0.5 ≥ 0.5 → dataset drift in every shifted window.
    const shifted = computeDatasetDrift(reference, summary(200).columns, { driftShareThreshold: 0.5 });
    const same = computeDatasetDrift(reference, summary(0).columns, { driftShareThreshold: 0.5 });
    expect([shifted.datasetDrift, shifted.shareOfDriftedColumns, same.datasetDrift]).toEqual([true, 0.5, false]);
    // Streaks 1, 2 (shifted, shifted), then 0 (unchanged).
    const verdicts = [
      rule.evaluate({ drift: shifted, window, streak: 1 }, window.end)[0],
      rule.evaluate({ drift: shifted, window, streak: 2 }, window.end)[0],
      rule.evaluate({ drift: same, window, streak: 0 }, window.end)[0],
    ];
    expect(verdicts.map((v) => [v.rule, v.firing, v.cleared])).toEqual([
      ['dataset_drift', false, false],
      ['dataset_drift', true, false],
      ['dataset_drift', false, true],
    ]);
    const { message, evidence } = verdicts[1].evidence();
    expect(message).toBe('1 of 2 columns drifted (share 0.500 ≥ 0.5): amount');
    // One item per drifted column (KS is judged on its p-value), then the share over the window's 100 rows.
    expect(evidence.map((e) => [e.feature, e.metric, e.sampleSize])).toEqual([
      ['amount', 'drift.ks.p_value', 100],
      [null, 'drift.share', 100],
    ]);
    expect(evidence[1]).toMatchObject({ value: 0.5, threshold: 0.5, windowStart: new Date(window.start), windowEnd: new Date(window.end) });
  });
});
