/**
 * One alert per (version, rule) episode. A rule reports, each time it is evaluated, whether
 * its condition holds (`firing`) and whether it has clearly recovered (`cleared`); the two
 * differ by a margin, so a metric hovering at its threshold cannot open and close episodes
 * on every label (hysteresis). While an episode lasts the alert is repeated at most once
 * per `reAlertIntervalMs` of wall time.
 */
export interface EpisodeState {
  /** Event time at which the condition first held. */
  since: number;
  /** Wall time of the last alert sent for this episode. */
  lastAlertAt: number;
  /** Alerts sent for this episode so far (absent in checkpoints written before it was added: counted as 1). */
  alerts?: number;
}

/** `alert`: the 1-based number of this alert in its episode (the alert-rule table escalates on it). */
export type EpisodeVerdict = { action: 'open'; since: number; alert: 1 } | { action: 'repeat'; since: number; alert: number } | { action: 'none' };

/** A rule's condition at one evaluation (a `RuleVerdict` without its evidence). */
export interface RuleCheck {
  rule: string;
  firing: boolean;
  cleared: boolean;
  /** Event time of the evaluation. */
  at: number;
}

export class AlertEpisodes {
  private readonly open = new Map<string, EpisodeState>();

  constructor(private readonly reAlertIntervalMs: () => number) {}

  /**
   * `check.at` (event time) dates a new episode; `now` (wall clock) paces repeats. Returns
   * what to send; the caller builds the alert with the episode's `since`.
   */
  evaluate(check: RuleCheck, now: number): EpisodeVerdict {
    const { rule, firing, cleared } = check;
    const episode = this.open.get(rule);
    if (episode === undefined) {
      if (!firing) return { action: 'none' };
      this.open.set(rule, { since: check.at, lastAlertAt: now, alerts: 1 });
      return { action: 'open', since: check.at, alert: 1 };
    }
    if (cleared) {
      this.open.delete(rule);
      return { action: 'none' };
    }
    if (firing && now - episode.lastAlertAt >= this.reAlertIntervalMs()) {
      episode.lastAlertAt = now;
      episode.alerts = (episode.alerts ?? 1) + 1;
      return { action: 'repeat', since: episode.since, alert: episode.alerts };
    }
    return { action: 'none' };
  }

  isOpen(rule: string): boolean {
    return this.open.has(rule);
  }

  toJSON(): Record<string, EpisodeState> {
    return Object.fromEntries(this.open);
  }

  restore(json: Record<string, EpisodeState>): void {
    this.open.clear();
    for (const [rule, state] of Object.entries(json)) this.open.set(rule, { ...state });
  }
}
