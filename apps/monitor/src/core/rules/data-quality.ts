import type { DataQualityResult, QualityMetric } from '@vigil/monitoring';
import type { ModelConfig } from '../model-config';
import { ClosedDriftWindow, windowSpan } from './drift-window';
import { MonitorRule, round, RuleVerdict } from './rule';

export interface DataQualityState {
  /** The closed window's columns checked against the reference (`computeDataQuality`). */
  quality: DataQualityResult;
  window: ClosedDriftWindow;
  /** Consecutive closed windows with a breach, this one included. */
  streak: number;
}

/**
 * `data_quality`: a column of a version's tumbling drift window breaches a quality
 * threshold (missing, type mismatch, out of range, new category, constant), several
 * windows in a row. With B the breached (column, metric) pairs of the window and k the
 * streak of windows with B ≠ ∅:
 *
 *   firing ⇔ k ≥ driftPersistence,  cleared ⇔ B = ∅
 */
export class DataQualityRule implements MonitorRule<DataQualityState> {
  constructor(private readonly config: Pick<ModelConfig, 'driftPersistence'>) {}

  evaluate({ quality, window, streak }: DataQualityState, now: number): RuleVerdict[] {
    const breaches = breachesOf(quality);
    return [
      {
        rule: 'data_quality',
        firing: streak >= this.config.driftPersistence,
        cleared: breaches.length === 0,
        at: now,
        evidence: () => ({
          message: `data quality breached: ${breaches.map((b) => `${b.column}.${b.m.name}=${round(b.m.value)}`).join(', ')}`,
          evidence: breaches.map((b) => ({
            ...windowSpan(window),
            baseline: b.m.referenceValue,
            metric: `quality.${b.m.name}`,
            value: b.m.value,
            threshold: b.m.threshold,
            feature: b.column,
            sampleSize: window.rows,
          })),
        }),
      },
    ];
  }
}

/** Every breached metric of the window, column by column. */
export function breachesOf(quality: DataQualityResult): { column: string; m: QualityMetric }[] {
  return quality.columns.flatMap((c) => c.metrics.filter((m) => m.breached).map((m) => ({ column: c.column, m })));
}
