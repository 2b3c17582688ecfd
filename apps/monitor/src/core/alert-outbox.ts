import type { Alert } from '@vigil/contracts';
import { ALERT_RULES, severityOf } from '@vigil/contracts';
import type { AlertEpisodes } from './alert-episodes';
import type { Clock, IdSource } from './clock';
import type { RuleVerdict } from './rules/rule';

/**
 * Turns rule verdicts into alerts: a verdict passes through its version's episodes (one
 * alert per episode, repeated at most once per `reAlertIntervalMs` of wall time) and the
 * alerts they call for wait here until the next `tick`. Kind and severity come from the
 * alert-rule table of @vigil/contracts (escalating on an episode's repeats).
 */
export class AlertOutbox {
  private alerts: Alert[] = [];

  constructor(
    private readonly modelId: string,
    private readonly clock: Clock,
    private readonly ids: IdSource,
  ) {}

  offer({ version, episodes, verdict }: { version: string; episodes: AlertEpisodes; verdict: RuleVerdict }): void {
    const now = this.clock.now();
    const outcome = episodes.evaluate(verdict, now);
    if (outcome.action === 'none') return;
    const { message, evidence } = verdict.evidence();
    this.alerts.push({
      alertId: this.ids.next(),
      modelId: this.modelId,
      modelVersion: version,
      kind: ALERT_RULES[verdict.rule].kind,
      severity: severityOf(verdict.rule, outcome.alert),
      rule: verdict.rule,
      since: new Date(outcome.since),
      observedAt: new Date(now),
      message,
      evidence,
    });
  }

  /** The alerts raised since the last call. */
  drain(): Alert[] {
    const alerts = this.alerts;
    this.alerts = [];
    return alerts;
  }
}
