import type { Evidence } from '@vigil/contracts';
import type { DatasetDriftResult } from '@vigil/monitoring';
import type { ModelConfig } from '../model-config';
import { ClosedDriftWindow, windowSpan } from './drift-window';
import { finiteOr, MonitorRule, round, RuleVerdict } from './rule';

export interface DatasetDriftState {
  /** The closed window's columns tested against the reference (`computeDatasetDrift`). */
  drift: DatasetDriftResult;
  window: ClosedDriftWindow;
  /** Consecutive closed windows with dataset drift, this one included. */
  streak: number;
}

/**
 * `dataset_drift`: most columns (features and the prediction) of a version's tumbling
 * window of `driftWindow` predictions differ from the reference, several windows in a row.
 * With `driftCorrection` holm or bh a p-value column is drifted on its adjusted p-value
 * (`computeDatasetDrift`), so many features do not make as many chances to alarm.
 *
 * Each column is tested by its registry default (KS / χ² / Wasserstein…); with D the
 * drifted columns of T tested, s = D / T and k the streak of windows with s ≥
 * `driftShareThreshold`:
 *
 *   firing ⇔ k ≥ driftPersistence,  cleared ⇔ s < driftShareThreshold
 *
 * The persistence is there because with several columns each tested at 5 %, single
 * windows cross the drifted share by chance about once in 70 (see docs/monitor.md).
 */
export class DatasetDriftRule implements MonitorRule<DatasetDriftState> {
  constructor(private readonly config: Pick<ModelConfig, 'driftPersistence'>) {}

  evaluate({ drift, window, streak }: DatasetDriftState, now: number): RuleVerdict[] {
    return [
      {
        rule: 'dataset_drift',
        firing: streak >= this.config.driftPersistence,
        cleared: !drift.datasetDrift,
        at: now,
        evidence: () => {
          const drifted = drift.columns.filter((c) => c.drifted);
          const span = windowSpan(window);
          const evidence: Evidence[] = drifted.map((c) => ({
            ...span,
            baseline: null,
            metric: `drift.${c.test}${c.criterion === 'p-value<threshold' ? '.p_value' : ''}`,
            // The p-value the decision used: adjusted when the model's driftCorrection is on.
            value: finiteOr(c.criterion === 'p-value<threshold' ? c.adjustedPValue : c.statistic),
            threshold: c.threshold,
            feature: c.column,
            sampleSize: c.current.count,
          }));
          evidence.push({
            ...span,
            baseline: null,
            metric: 'drift.share',
            value: drift.shareOfDriftedColumns,
            threshold: drift.driftShareThreshold,
            feature: null,
            sampleSize: window.rows,
          });
          return {
            message: `${drift.numberOfDriftedColumns} of ${drift.numberOfTestedColumns} columns drifted (share ${round(drift.shareOfDriftedColumns)} ≥ ${drift.driftShareThreshold}): ${drifted.map((c) => c.column).join(', ')}`,
            evidence,
          };
        },
      },
    ];
  }
}
