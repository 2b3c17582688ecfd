import type { ModelConfig } from '../model-config';
import { headlineMetric, performanceEvidence, PerformanceState } from './performance';
import { MonitorRule, round, RuleVerdict } from './rule';

/**
 * A bound relative to the version's own baseline b (its first full window, see
 * `firstFullWindow`): `accuracy_drop` (classification) or `mae_increase` (regression).
 *
 * With v the metric over the last `metricWindow` labelled predictions (once it holds at
 * least `minLabels`), d = `maxAccuracyDrop`, r = `maxMaeIncrease`, m the clear margin:
 *
 *   accuracy: T = b − d,        firing ⇔ v < T,  cleared ⇔ v ≥ T + m
 *   MAE:      T = b · (1 + r),  firing ⇔ v > T,  cleared ⇔ v ≤ T · (1 − m)
 *
 * Silent until the baseline exists.
 */
export class PerformanceDropRule implements MonitorRule<PerformanceState> {
  constructor(private readonly config: Pick<ModelConfig, 'minLabels' | 'maxAccuracyDrop' | 'maxMaeIncrease' | 'clearMargin'>) {}

  evaluate(state: PerformanceState, now: number): RuleVerdict[] {
    const w = state.window;
    const b = state.baseline;
    if (w.count < this.config.minLabels || b === null) return [];
    const value = w.primary();
    const regression = state.task === 'REGRESSION';
    const threshold = regression ? b.value * (1 + this.config.maxMaeIncrease) : b.value - this.config.maxAccuracyDrop;
    const margin = this.config.clearMargin;
    return [
      {
        rule: regression ? 'mae_increase' : 'accuracy_drop',
        firing: regression ? value > threshold : value < threshold,
        cleared: regression ? value <= threshold * (1 - margin) : value >= threshold + margin,
        at: now,
        evidence: () => ({
          message: `${headlineMetric(state.task)} ${round(value)} over the last ${w.count} labelled predictions vs baseline ${round(b.value)} (${b.sampleSize} labels): ${regression ? 'above' : 'below'} ${round(threshold)}`,
          evidence: performanceEvidence(state, threshold, b),
        }),
      },
    ];
  }
}
