import type { ModelConfig } from '../model-config';
import { MonitorRule, round, RuleVerdict } from './rule';

/** A version group's latencies over one snapshot interval. */
export interface LatencyState {
  /** p99 of the interval's latencies (ms); undefined when none came. */
  p99: number | undefined;
  count: number;
  /** Event-time span of the group's predictions. */
  firstTime: number;
  lastTime: number;
}

/**
 * `latency_p99_above_ceiling`, evaluated once per snapshot interval of a version. With q
 * the interval's p99 (DDSketch, 1 % relative accuracy), C = `latencyP99CeilingMs` and m
 * the clear margin:
 *
 *   firing ⇔ q > C,  cleared ⇔ q ≤ C · (1 − m)
 *
 * Off while C is null or the interval saw no latency.
 */
export class LatencyRule implements MonitorRule<LatencyState> {
  constructor(private readonly config: Pick<ModelConfig, 'latencyP99CeilingMs' | 'clearMargin'>) {}

  evaluate(state: LatencyState, now: number): RuleVerdict[] {
    const ceiling = this.config.latencyP99CeilingMs;
    const p99 = state.p99;
    if (ceiling === null || p99 === undefined) return [];
    return [
      {
        rule: 'latency_p99_above_ceiling',
        firing: p99 > ceiling,
        cleared: p99 <= ceiling * (1 - this.config.clearMargin),
        at: now,
        evidence: () => ({
          message: `latency p99 ${round(p99)} ms above ${ceiling} ms`,
          evidence: [
            {
              metric: 'latency_p99',
              value: p99,
              threshold: ceiling,
              baseline: null,
              feature: null,
              windowStart: new Date(state.firstTime),
              windowEnd: new Date(state.lastTime),
              sampleSize: state.count,
            },
          ],
        }),
      },
    ];
  }
}
