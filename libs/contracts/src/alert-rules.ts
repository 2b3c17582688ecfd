/**
 * The one table of alert rules: what the monitor emits and what the orchestrator's
 * policies match. Names, kinds and severities come from here on both sides (and in the
 * docs), so they cannot drift apart; `contracts.spec.ts` checks the kinds and severities
 * against alert.avsc.
 */

export const ALERT_KINDS = ['PERFORMANCE', 'DRIFT', 'DETECTOR', 'DATA_QUALITY', 'LATENCY'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const SEVERITIES = ['WARNING', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface AlertRuleDefinition {
  readonly kind: AlertKind;
  /** Severity of an episode's first alert. */
  readonly severity: Severity;
  /**
   * Escalation after persistence: from this alert of an episode on (the condition still
   * holding when the alert is repeated, at least `reAlertIntervalMs` later), the alert is
   * CRITICAL, so it counts toward a retrain; null = never escalates.
   */
  readonly criticalFromAlert: number | null;
  /**
   * The lowest severity at which an alert of this rule counts toward a retrain, when a
   * policy lists its kind (or rule); null = never counts. A detector's alert is a point
   * event (a change found once), not a condition re-evaluated later, so its WARNING counts;
   * a drift episode counts once it persisted (escalated to CRITICAL).
   */
  readonly retrainFrom: Severity | null;
  /** Judged on labelled predictions (realised performance, change detectors on the error stream), so it can only come once labels arrive. */
  readonly needsLabels: boolean;
  /** Evidence metrics the alert carries (`<test>`: the drift test's name, `<metric>`: the quality metric's). */
  readonly evidence: readonly string[];
}

const performance = (metric: string): AlertRuleDefinition => ({
  kind: 'PERFORMANCE',
  severity: 'CRITICAL',
  criticalFromAlert: null,
  retrainFrom: 'CRITICAL',
  needsLabels: true,
  evidence: [metric],
});
const detector = (name: string): AlertRuleDefinition => ({
  kind: 'DETECTOR',
  severity: 'WARNING',
  criticalFromAlert: null,
  retrainFrom: 'WARNING',
  needsLabels: true,
  evidence: [`detector.${name}`],
});

export const ALERT_RULES = {
  accuracy_drop: performance('accuracy'),
  accuracy_below_floor: performance('accuracy'),
  /** CBPE, before labels: WARNING, CRITICAL once it persisted (an estimate, so it must hold to count toward a retrain). */
  estimated_accuracy_drop: { kind: 'PERFORMANCE', severity: 'WARNING', criticalFromAlert: 2, retrainFrom: 'CRITICAL', needsLabels: false, evidence: ['estimated_accuracy'] },
  mae_increase: performance('mae'),
  mae_above_ceiling: performance('mae'),
  // `<detector>_drift` for every detector of the registry (`detectorRule`).
  adwin_drift: detector('adwin'),
  page_hinkley_drift: detector('page-hinkley'),
  ddm_drift: detector('ddm'),
  eddm_drift: detector('eddm'),
  hddm_a_drift: detector('hddm-a'),
  hddm_w_drift: detector('hddm-w'),
  /** The configured detector cannot run for the model: a configuration problem, never a retrain. */
  detector_disabled: { kind: 'DETECTOR', severity: 'WARNING', criticalFromAlert: null, retrainFrom: null, needsLabels: false, evidence: [] },
  /** Evidence per drifted column (its `feature`), then the drifted share. */
  dataset_drift: {
    kind: 'DRIFT',
    severity: 'WARNING',
    criticalFromAlert: 2,
    retrainFrom: 'CRITICAL',
    needsLabels: false,
    evidence: ['drift.<test>', 'drift.<test>.p_value', 'drift.share'],
  },
  data_quality: { kind: 'DATA_QUALITY', severity: 'WARNING', criticalFromAlert: null, retrainFrom: 'CRITICAL', needsLabels: false, evidence: ['quality.<metric>'] },
  latency_p99_above_ceiling: { kind: 'LATENCY', severity: 'WARNING', criticalFromAlert: null, retrainFrom: 'CRITICAL', needsLabels: false, evidence: ['latency_p99'] },
} as const satisfies Record<string, AlertRuleDefinition>;

export type AlertRule = keyof typeof ALERT_RULES;
export const ALERT_RULE_NAMES = Object.keys(ALERT_RULES) as AlertRule[];

export function isAlertRule(name: string): name is AlertRule {
  return Object.hasOwn(ALERT_RULES, name);
}

/** The rule of a change detector's alerts: `page-hinkley` → `page_hinkley_drift`. */
export function detectorRule(detectorName: string): AlertRule {
  const rule = `${detectorName.replace(/-/g, '_')}_drift`;
  if (!isAlertRule(rule)) throw new RangeError(`no alert rule for detector "${detectorName}" in ALERT_RULES`);
  return rule;
}

/** Severity of the `alertNumber`-th alert (1-based) of an episode of `rule`. */
export function severityOf(rule: AlertRule, alertNumber: number): Severity {
  const { severity, criticalFromAlert } = ALERT_RULES[rule] as AlertRuleDefinition;
  return criticalFromAlert !== null && alertNumber >= criticalFromAlert ? 'CRITICAL' : severity;
}

/** Whether an alert of `rule` at `severity` counts toward a retrain (the policy still decides whether its kind does). */
export function countsTowardRetrain(rule: string, severity: Severity): boolean {
  if (!isAlertRule(rule)) return false;
  const from = (ALERT_RULES[rule] as AlertRuleDefinition).retrainFrom;
  return from !== null && SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(from);
}
