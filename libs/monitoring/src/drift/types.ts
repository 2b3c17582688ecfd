import type { ColumnKind, ColumnSummary } from './summary';

/** How a test's output is compared with its threshold. */
export type DriftCriterion = 'statistic>=threshold' | 'p-value<threshold';

export interface DriftTestOutcome {
  /** The test statistic (distance, D, χ², z). May be Infinity (χ² with an unseen category). */
  statistic: number;
  /** Defined for hypothesis tests only. */
  pValue: number | null;
  /** True when computed from a sketch rather than exact counts / samples. */
  approximate: boolean;
  /** Test-specific extras (e.g. KS method, degrees of freedom, bins). */
  details?: Record<string, unknown>;
}

/** One statistical test, declared once (Evidently `StatTest` style). */
export interface DriftTestDefinition {
  /** Registry key, used by the CLI (`--test col=ks`) and configuration. */
  name: string;
  displayName: string;
  columnKinds: readonly ColumnKind[];
  defaultThreshold: number;
  criterion: DriftCriterion;
  /** The implementation this one is pinned to in the fixtures. */
  reference: string;
  compute(reference: ColumnSummary, current: ColumnSummary): DriftTestOutcome;
}
