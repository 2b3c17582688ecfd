import { computeDataQuality, DatasetSummary, DEFAULT_QUALITY_THRESHOLDS } from '@vigil/monitoring';
import { EVENT_T0 } from '../../../../../test/support/events';
import { DEFAULT_MODEL_CONFIG } from '../model-config';
import { DataQualityRule } from './data-quality';

/** 100 rows of amount = 0..99, the first `missing` of them missing. */
function summary(missing: number): DatasetSummary {
  const s = new DatasetSummary({ amount: 'numeric' });
  for (let i = 0; i < 100; i++) s.addRow({ amount: i < missing ? null : i });
  return s;
}

describe('DataQualityRule on hand-computed windows', () => {
  it('fires once a breach has held driftPersistence windows, clears on a window without one', () => {
    const rule = new DataQualityRule({ ...DEFAULT_MODEL_CONFIG, driftPersistence: 2 });
    const reference = summary(0).columns;
    const window = { start: EVENT_T0, end: EVENT_T0 + 99_000, rows: 100 };
    // 50 of 100 values missing: missing_rate 0.5 > DEFAULT_QUALITY_THRESHOLDS.missingRate (0.05); none missing: no breach.
    const breached = computeDataQuality(reference, summary(50).columns);
    const clean = computeDataQuality(reference, summary(0).columns);
    const verdicts = [
      rule.evaluate({ quality: breached, window, streak: 1 }, window.end)[0],
      rule.evaluate({ quality: breached, window, streak: 2 }, window.end)[0],
      rule.evaluate({ quality: clean, window, streak: 0 }, window.end)[0],
    ];
    expect(verdicts.map((v) => [v.rule, v.firing, v.cleared])).toEqual([
      ['data_quality', false, false],
      ['data_quality', true, false],
      ['data_quality', false, true],
    ]);
    const { message, evidence } = verdicts[1].evidence();
    expect(message).toContain('amount.missing_rate=0.500');
    expect(evidence.find((e) => e.metric === 'quality.missing_rate')).toMatchObject({
      feature: 'amount',
      value: 0.5,
      threshold: DEFAULT_QUALITY_THRESHOLDS.missingRate,
      baseline: 0,
      sampleSize: 100,
    });
  });
});
