import { EVENT_T0 } from '../../../../../test/support/events';
import { DEFAULT_MODEL_CONFIG } from '../model-config';
import { LabelledObservation, RollingPerformance } from '../rolling-performance';
import { PerformanceFloorRule } from './performance-floor';

/** Feeds observations one at a time into a window of `size`; the verdicts after each, as `firing/cleared` strings. */
function run(rule: PerformanceFloorRule, task: 'CLASSIFICATION' | 'REGRESSION', size: number, stream: LabelledObservation[]): string[] {
  const window = new RollingPerformance(task, size);
  return stream.map((o) => {
    window.add(o);
    return rule
      .evaluate({ task, window, baseline: null }, o[2])
      .map((v) => `${v.rule}:${v.firing ? 'firing' : v.cleared ? 'cleared' : 'neither'}`)
      .join();
  });
}

const right = (i: number): LabelledObservation => ['yes', 'yes', EVENT_T0 + i * 1000];
const wrong = (i: number): LabelledObservation => ['yes', 'no', EVENT_T0 + i * 1000];

describe('PerformanceFloorRule on hand-computed streams', () => {
  it('accuracy: fires below the floor, clears at floor + margin', () => {
    const rule = new PerformanceFloorRule({ ...DEFAULT_MODEL_CONFIG, minLabels: 4, accuracyFloor: 0.5, clearMargin: 0.25 });
    // Window of 4; accuracy after each label: –, –, –, 2/4, 1/4, 1/4, 2/4, 3/4, 4/4.
    const stream = [right(0), right(1), wrong(2), wrong(3), wrong(4), right(5), right(6), right(7), right(8)];
    expect(run(rule, 'CLASSIFICATION', 4, stream)).toEqual([
      '', // fewer than minLabels = 4
      '',
      '',
      'accuracy_below_floor:neither', // 0.5: not < 0.5, not ≥ 0.75
      'accuracy_below_floor:firing', // 0.25 < 0.5
      'accuracy_below_floor:firing',
      'accuracy_below_floor:neither', // 0.5: inside the hysteresis band
      'accuracy_below_floor:cleared', // 0.75 ≥ 0.5 + 0.25
      'accuracy_below_floor:cleared',
    ]);
  });

  it('MAE: fires above the ceiling, clears at ceiling · (1 − margin)', () => {
    const rule = new PerformanceFloorRule({ ...DEFAULT_MODEL_CONFIG, minLabels: 2, maeCeiling: 2, clearMargin: 0.25 });
    // |errors| 1, 3, 3, 1, 1 in a window of 2: MAE –, 2, 3, 2, 1 against ceiling 2 and clear bound 2 · 0.75 = 1.5.
    const stream: LabelledObservation[] = [1, 3, 3, 1, 1].map((e, i) => [10, 10 + e, EVENT_T0 + i * 1000]);
    expect(run(rule, 'REGRESSION', 2, stream)).toEqual(['', 'mae_above_ceiling:neither', 'mae_above_ceiling:firing', 'mae_above_ceiling:neither', 'mae_above_ceiling:cleared']);
  });

  it('is off while the floor is null, and its evidence names the window', () => {
    const window = new RollingPerformance('CLASSIFICATION', 4);
    [wrong(0), wrong(1), right(2), wrong(3)].forEach((o) => window.add(o));
    expect(new PerformanceFloorRule({ ...DEFAULT_MODEL_CONFIG, minLabels: 4, accuracyFloor: null }).evaluate({ task: 'CLASSIFICATION', window, baseline: null }, 0)).toEqual([]);
    const [verdict] = new PerformanceFloorRule({ ...DEFAULT_MODEL_CONFIG, minLabels: 4, accuracyFloor: 0.5 }).evaluate(
      { task: 'CLASSIFICATION', window, baseline: null },
      EVENT_T0 + 3000,
    );
    expect(verdict.at).toBe(EVENT_T0 + 3000);
    // 1 right of 4 = 0.25, window from event 0 to event 3.
    expect(verdict.evidence()).toEqual({
      message: 'accuracy 0.250 below floor 0.5 over the last 4 labelled predictions',
      evidence: [
        { metric: 'accuracy', value: 0.25, threshold: 0.5, baseline: null, feature: null, windowStart: new Date(EVENT_T0), windowEnd: new Date(EVENT_T0 + 3000), sampleSize: 4 },
      ],
    });
  });
});
