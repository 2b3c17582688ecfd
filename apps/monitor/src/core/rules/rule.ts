import type { AlertRule, Evidence } from '@vigil/contracts';

/** What an alert of a rule says: a line for people and the numbers behind it. */
export interface AlertDescription {
  message: string;
  evidence: Evidence[];
}

/**
 * One rule's verdict at one evaluation. `firing`: its condition holds; `cleared`: it has
 * clearly recovered (the two differ by a margin, so a metric at its threshold cannot open
 * and close episodes on every label). `at` (event time) dates an episode the verdict opens.
 * `evidence` is built only when an alert goes out: rules are evaluated on every label.
 */
export interface RuleVerdict {
  rule: AlertRule;
  firing: boolean;
  cleared: boolean;
  at: number;
  evidence(): AlertDescription;
}

/** A rule family: the verdicts of its rules on `state` at event time `now` (none when it has nothing to say yet). */
export interface MonitorRule<S> {
  evaluate(state: S, now: number): RuleVerdict[];
}

export function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** A non-finite evidence value (such as the mean of no errors) is reported as 0. */
export function finiteOr(value: number | null): number {
  return value !== null && Number.isFinite(value) ? value : 0;
}

/** A metric in a message: three decimals. */
export function round(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : String(value);
}
