import type { Evidence, Task } from '@vigil/contracts';
import type { Baseline } from '../monitor-state';
import type { RollingPerformance } from '../rolling-performance';

/** What the performance rules read: the version's rolling window and its baseline. */
export interface PerformanceState {
  /** Null before the first prediction (then treated as classification). */
  task: Task | null;
  window: RollingPerformance;
  baseline: Baseline | null;
}

/** The headline metric of a task: accuracy (higher is better) or MAE (lower is better). */
export function headlineMetric(task: Task | null): 'accuracy' | 'mae' {
  return task === 'REGRESSION' ? 'mae' : 'accuracy';
}

/** The one evidence item of a performance alert: the window's headline metric against `threshold`. */
export function performanceEvidence(state: PerformanceState, threshold: number, baseline: Baseline | null): Evidence[] {
  const w = state.window;
  return [
    {
      metric: headlineMetric(state.task),
      value: w.primary(),
      threshold,
      baseline: baseline?.value ?? null,
      feature: null,
      windowStart: new Date(w.oldestTime),
      windowEnd: new Date(w.newestTime),
      sampleSize: w.count,
    },
  ];
}

/**
 * The baseline a version is compared with: its first full window (`metricWindow` labels,
 * and at least `minLabels`). Null until then.
 */
export function firstFullWindow(window: RollingPerformance, config: { minLabels: number; metricWindow: number }): Baseline | null {
  if (window.count < config.minLabels || window.count < config.metricWindow) return null;
  return { value: window.primary(), sampleSize: window.count, windowStart: window.oldestTime, windowEnd: window.newestTime };
}
