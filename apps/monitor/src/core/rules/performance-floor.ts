import type { ModelConfig } from '../model-config';
import { headlineMetric, performanceEvidence, PerformanceState } from './performance';
import { MonitorRule, round, RuleVerdict } from './rule';

/**
 * An absolute bound on the rolling headline metric of a version: `accuracy_below_floor`
 * (classification) or `mae_above_ceiling` (regression).
 *
 * With v the metric over the last `metricWindow` labelled predictions (once it holds at
 * least `minLabels`), F the floor (ceiling) and m the clear margin:
 *
 *   accuracy: firing ⇔ v < F,  cleared ⇔ v ≥ F + m
 *   MAE:      firing ⇔ v > F,  cleared ⇔ v ≤ F · (1 − m)
 *
 * Off while the task's bound is null (`accuracyFloor`, `maeCeiling`).
 */
export class PerformanceFloorRule implements MonitorRule<PerformanceState> {
  constructor(private readonly config: Pick<ModelConfig, 'minLabels' | 'accuracyFloor' | 'maeCeiling' | 'clearMargin'>) {}

  evaluate(state: PerformanceState, now: number): RuleVerdict[] {
    const w = state.window;
    const regression = state.task === 'REGRESSION';
    const floor = regression ? this.config.maeCeiling : this.config.accuracyFloor;
    if (w.count < this.config.minLabels || floor === null) return [];
    const value = w.primary();
    const margin = this.config.clearMargin;
    return [
      {
        rule: regression ? 'mae_above_ceiling' : 'accuracy_below_floor',
        firing: regression ? value > floor : value < floor,
        cleared: regression ? value <= floor * (1 - margin) : value >= floor + margin,
        at: now,
        evidence: () => ({
          message: `${headlineMetric(state.task)} ${round(value)} ${regression ? 'above ceiling' : 'below floor'} ${floor} over the last ${w.count} labelled predictions`,
          evidence: performanceEvidence(state, floor, state.baseline),
        }),
      },
    ];
  }
}
