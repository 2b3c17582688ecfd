import { EVENT_T0 } from '../../../../../test/support/events';
import { DEFAULT_MODEL_CONFIG } from '../model-config';
import type { Baseline } from '../monitor-state';
import { LabelledObservation, RollingPerformance } from '../rolling-performance';
import { firstFullWindow } from './performance';
import { PerformanceDropRule } from './performance-drop';

/** Feeds the stream into a window of `size`, taking the baseline as the monitor does; the verdict after each label. */
function run(config: typeof DEFAULT_MODEL_CONFIG, task: 'CLASSIFICATION' | 'REGRESSION', stream: LabelledObservation[]): { verdicts: string[]; baseline: Baseline | null } {
  const rule = new PerformanceDropRule(config);
  const window = new RollingPerformance(task, config.metricWindow);
  let baseline: Baseline | null = null;
  const verdicts = stream.map((o) => {
    window.add(o);
    baseline ??= firstFullWindow(window, config);
    return rule
      .evaluate({ task, window, baseline }, o[2])
      .map((v) => `${v.rule}:${v.firing ? 'firing' : v.cleared ? 'cleared' : 'neither'}`)
      .join();
  });
  return { verdicts, baseline };
}

const at = (i: number) => EVENT_T0 + i * 1000;

describe('PerformanceDropRule on hand-computed streams', () => {
  it('accuracy: baseline = first full window; fires below baseline − drop, clears at threshold + margin', () => {
    const config = { ...DEFAULT_MODEL_CONFIG, minLabels: 4, metricWindow: 4, maxAccuracyDrop: 0.25, clearMargin: 0.25 };
    // R R R R | W W W R R R R. Window of 4: accuracy after each: –, –, –, 1 (baseline), 3/4, 2/4, 1/4, 1/4, 2/4, 3/4, 1.
    // Threshold 1 − 0.25 = 0.75; cleared at ≥ 0.75 + 0.25 = 1.
    const pattern = [1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1];
    const { verdicts, baseline } = run(
      config,
      'CLASSIFICATION',
      pattern.map((r, i) => ['yes', r ? 'yes' : 'no', at(i)]),
    );
    expect(baseline).toEqual({ value: 1, sampleSize: 4, windowStart: at(0), windowEnd: at(3) });
    expect(verdicts).toEqual([
      '', // no baseline yet (the window is not full)
      '',
      '',
      'accuracy_drop:cleared', // 1 ≥ 1
      'accuracy_drop:neither', // 0.75: not < 0.75
      'accuracy_drop:firing', // 0.5 < 0.75
      'accuracy_drop:firing',
      'accuracy_drop:firing',
      'accuracy_drop:firing',
      'accuracy_drop:neither', // 0.75
      'accuracy_drop:cleared', // 1
    ]);
  });

  it('MAE: fires above baseline · (1 + increase), clears at threshold · (1 − margin)', () => {
    const config = { ...DEFAULT_MODEL_CONFIG, minLabels: 2, metricWindow: 2, maxMaeIncrease: 0.5, clearMargin: 0.1 };
    // |errors| 2, 2 | 4, 4, 1. Window of 2: MAE –, 2 (baseline), 3, 4, 2.5. Threshold 2 · 1.5 = 3; cleared at ≤ 3 · 0.9 = 2.7.
    const { verdicts, baseline } = run(
      config,
      'REGRESSION',
      [2, 2, 4, 4, 1].map((e, i) => [10, 10 + e, at(i)]),
    );
    expect(baseline?.value).toBe(2);
    expect(verdicts).toEqual(['', 'mae_increase:cleared', 'mae_increase:neither', 'mae_increase:firing', 'mae_increase:cleared']);
  });

  it('says by how much, against which baseline', () => {
    const config = { ...DEFAULT_MODEL_CONFIG, minLabels: 2, metricWindow: 2, maxAccuracyDrop: 0.25 };
    const window = new RollingPerformance('CLASSIFICATION', 2);
    window.add(['yes', 'no', at(4)]);
    window.add(['yes', 'no', at(5)]);
    const baseline = { value: 1, sampleSize: 2, windowStart: at(0), windowEnd: at(1) };
    const [verdict] = new PerformanceDropRule(config).evaluate({ task: 'CLASSIFICATION', window, baseline }, at(5));
    // 0 of 2 right against baseline 1 − 0.25 = 0.75.
    expect(verdict.evidence()).toEqual({
      message: 'accuracy 0.000 over the last 2 labelled predictions vs baseline 1.000 (2 labels): below 0.750',
      evidence: [{ metric: 'accuracy', value: 0, threshold: 0.75, baseline: 1, feature: null, windowStart: new Date(at(4)), windowEnd: new Date(at(5)), sampleSize: 2 }],
    });
  });
});
