import type { ChangeDetector } from '@vigil/monitoring';
import { EVENT_T0 } from '../../../../../test/support/events';
import { DEFAULT_MODEL_CONFIG } from '../model-config';
import { DETECTOR_RECENT, DetectorRule, DetectorState } from './detector';

const config = { ...DEFAULT_MODEL_CONFIG, detector: 'adwin' as const, minDetectorLabels: 100, metricWindow: 500 };
const at = (i: number) => EVENT_T0 + i * 1000;

/** A detector that has just signalled a change (the detectors themselves are tested in @vigil/monitoring). */
const fired: ChangeDetector = { update: () => undefined, reset: () => undefined, warningDetected: false, driftDetected: true };
const summary = (state: DetectorState, rule: DetectorRule, now: number) =>
  rule.evaluate(state, now).map((v) => `${v.rule}:${v.firing ? 'firing' : v.cleared ? 'cleared' : 'neither'}`);

describe('DetectorRule on hand-computed error streams', () => {
  it('alerts a worsening the detector found, with the recent and older mean errors', () => {
    const rule = new DetectorRule(config, null);
    // 50 right then 100 wrong; the detector has just fired. Recent: the last DETECTOR_RECENT = 100
    // errors (events 50..149), mean 1; older: events 0..49, mean 0.
    const state: DetectorState = { detector: fired, errors: [...Array(50).fill(0), ...Array(100).fill(1)].map((e, i) => [e, at(i)]), labels: 150, lastWorseningAt: null };
    const [, change] = rule.evaluate(state, at(149));
    expect([change.rule, change.firing, change.cleared, change.at]).toEqual(['adwin_drift', true, false, at(149)]);
    expect(change.evidence()).toEqual({
      message: 'adwin detected a change in the error stream: mean error 1.000 over the last 100 labels vs 0.000 before',
      evidence: [
        {
          metric: 'detector.adwin',
          value: 1,
          threshold: null,
          baseline: 0,
          feature: null,
          windowStart: new Date(at(50)),
          windowEnd: new Date(at(149)),
          sampleSize: DETECTOR_RECENT,
        },
      ],
    });
  });

  it('ignores an improvement, and clears metricWindow labels after the last worsening', () => {
    const rule = new DetectorRule(config, null);
    // 50 wrong then 100 right: recent mean 0 < older mean 1, an improvement: not alerted.
    const improving: DetectorState = { detector: fired, errors: [...Array(50).fill(1), ...Array(100).fill(0)].map((e, i) => [e, at(i)]), labels: 150, lastWorseningAt: null };
    expect(summary(improving, rule, at(149))).toEqual(['detector_disabled:cleared', 'adwin_drift:cleared']);
    // 50 right then 100 wrong: recent 1 > older 0 at label 150 → firing, worsening recorded at 150.
    const worsening: DetectorState = { detector: fired, errors: [...Array(50).fill(0), ...Array(100).fill(1)].map((e, i) => [e, at(i)]), labels: 150, lastWorseningAt: null };
    expect(summary(worsening, rule, at(149))).toEqual(['detector_disabled:cleared', 'adwin_drift:firing']);
    expect(worsening.lastWorseningAt).toBe(150);
    const quiet = { ...fired, driftDetected: false };
    // 150 + 499 labels: one short of metricWindow = 500 since the worsening; at 650 it clears.
    expect(summary({ ...worsening, detector: quiet, labels: 649 }, rule, 0)).toEqual(['detector_disabled:cleared', 'adwin_drift:neither']);
    expect(summary({ ...worsening, detector: quiet, labels: 650 }, rule, 0)).toEqual(['detector_disabled:cleared', 'adwin_drift:cleared']);
    // Fewer than minDetectorLabels = 100 labels: the detector's verdict does not count.
    expect(summary({ ...worsening, lastWorseningAt: null, labels: 99 }, rule, 0)).toEqual(['detector_disabled:cleared', 'adwin_drift:cleared']);
  });

  it('says detector_disabled, and nothing else, while the detector cannot run', () => {
    const rule = new DetectorRule({ ...config, detector: 'ddm' }, 'detector: ddm accepts only binary-error input');
    const [disabled, ...rest] = rule.evaluate({ detector: null, errors: [], labels: 10, lastWorseningAt: null }, at(9));
    expect(rest).toEqual([]);
    expect([disabled.rule, disabled.firing, disabled.cleared]).toEqual(['detector_disabled', true, false]);
    expect(disabled.evidence()).toEqual({ message: 'change detector disabled: detector: ddm accepts only binary-error input', evidence: [] });
  });
});
