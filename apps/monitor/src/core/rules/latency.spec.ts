import { EVENT_T0 } from '../../../../../test/support/events';
import { DEFAULT_MODEL_CONFIG } from '../model-config';
import { LatencyRule } from './latency';

describe('LatencyRule on hand-computed snapshot intervals', () => {
  it('fires above the p99 ceiling and clears at ceiling · (1 − margin)', () => {
    const rule = new LatencyRule({ ...DEFAULT_MODEL_CONFIG, latencyP99CeilingMs: 100, clearMargin: 0.1 });
    // p99 per interval: 90, 120, 95, 90 against ceiling 100 and clear bound 100 · 0.9 = 90.
    const verdicts = [90, 120, 95, 90].map((p99, i) => rule.evaluate({ p99, count: 50, firstTime: EVENT_T0, lastTime: EVENT_T0 + i * 1000 }, EVENT_T0 + i * 1000)[0]);
    expect(verdicts.map((v) => [v.firing, v.cleared])).toEqual([
      [false, true],
      [true, false],
      [false, false],
      [false, true],
    ]);
    expect(verdicts[1].evidence()).toEqual({
      message: 'latency p99 120.000 ms above 100 ms',
      evidence: [
        { metric: 'latency_p99', value: 120, threshold: 100, baseline: null, feature: null, windowStart: new Date(EVENT_T0), windowEnd: new Date(EVENT_T0 + 1000), sampleSize: 50 },
      ],
    });
  });

  it('is off without a ceiling or without latencies in the interval', () => {
    expect(new LatencyRule({ ...DEFAULT_MODEL_CONFIG, latencyP99CeilingMs: null }).evaluate({ p99: 500, count: 1, firstTime: 0, lastTime: 0 }, 0)).toEqual([]);
    expect(new LatencyRule({ ...DEFAULT_MODEL_CONFIG, latencyP99CeilingMs: 100 }).evaluate({ p99: undefined, count: 0, firstTime: 0, lastTime: 0 }, 0)).toEqual([]);
  });
});
