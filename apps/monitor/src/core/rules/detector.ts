import { detectorRule } from '@vigil/contracts';
import type { ModelConfig } from '../model-config';
import type { VersionState } from '../monitor-state';
import { finiteOr, mean, MonitorRule, round, RuleVerdict } from './rule';

/** Errors compared with the older ones to tell a worsening from an improvement when the detector fires. */
export const DETECTOR_RECENT = 100;

export type DetectorState = Pick<VersionState, 'detector' | 'errors' | 'labels' | 'lastWorseningAt'>;

/**
 * The change detector on a version's error stream (0/1 misclassification, or |error|):
 * `<detector>_drift`, plus `detector_disabled` while the configured detector cannot run.
 *
 * Detectors such as ADWIN fire on any change of the mean, so a detection is alerted only
 * when it is a worsening. With e the last `DETECTOR_REPLAY` errors, n the labels seen, R
 * the mean of the last `DETECTOR_RECENT` of e and O the mean of the ones before:
 *
 *   firing ⇔ detector.driftDetected ∧ n ≥ minDetectorLabels ∧ R > O
 *   cleared ⇔ ¬firing ∧ (no worsening yet ∨ n − n_w ≥ metricWindow)
 *
 * where n_w is n at the last worsening. `evaluate` records a worsening in
 * `state.lastWorseningAt`. `detector_disabled` fires while `problem` is set and clears
 * when it is not.
 */
export class DetectorRule implements MonitorRule<DetectorState> {
  constructor(
    private readonly config: Pick<ModelConfig, 'detector' | 'minDetectorLabels' | 'metricWindow'>,
    /** Why the configured detector cannot run for this model; null when it can. */
    private readonly problem: string | null,
  ) {}

  evaluate(state: DetectorState, now: number): RuleVerdict[] {
    const problem = this.problem;
    const disabled: RuleVerdict = {
      rule: 'detector_disabled',
      firing: problem !== null,
      cleared: problem === null,
      at: now,
      evidence: () => ({ message: `change detector disabled: ${problem}`, evidence: [] }),
    };
    if (!state.detector) return [disabled];
    let firing = false;
    let recent = NaN;
    let older = NaN;
    if (state.detector.driftDetected && state.labels >= this.config.minDetectorLabels) {
      const split = Math.max(0, state.errors.length - DETECTOR_RECENT);
      recent = mean(state.errors.slice(split).map(([e]) => e));
      older = mean(state.errors.slice(0, split).map(([e]) => e));
      firing = recent > older;
      if (firing) state.lastWorseningAt = state.labels;
    }
    const cleared = state.lastWorseningAt === null || state.labels - state.lastWorseningAt >= this.config.metricWindow;
    const name = this.config.detector;
    const change: RuleVerdict = {
      rule: detectorRule(name),
      firing,
      cleared: cleared && !firing,
      at: now,
      evidence: () => {
        const recentErrors = state.errors.slice(-DETECTOR_RECENT);
        return {
          message: `${name} detected a change in the error stream: mean error ${round(recent)} over the last ${recentErrors.length} labels vs ${round(older)} before`,
          evidence: [
            {
              metric: `detector.${name}`,
              value: recent,
              threshold: null,
              baseline: finiteOr(older),
              feature: null,
              windowStart: new Date(recentErrors[0][1]),
              windowEnd: new Date(recentErrors[recentErrors.length - 1][1]),
              sampleSize: recentErrors.length,
            },
          ],
        };
      },
    };
    return [disabled, change];
  }
}
