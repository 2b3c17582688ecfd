import { createHash } from 'node:crypto';
import { EVENT_T0 } from '../../../../../test/support/events';
import { sequentialIds, stoppedClock } from '../../../../../test/support/clock';
import { DEFAULT_MODEL_CONFIG, effectiveConfig } from '../model-config';
import { ModelMonitor, ModelMonitorState } from '../model-monitor';
import recorded from './recorded.json';
import { MonitorFactory, runScenarios } from './scenarios';

const options = (snapshotIntervalMs: number) => ({ snapshotIntervalMs, clock: stoppedClock(EVENT_T0), ids: sequentialIds() });
const factory: MonitorFactory = {
  create: (config, snapshotIntervalMs) => new ModelMonitor('fraud', config, options(snapshotIntervalMs)),
  restore: (state, config, snapshotIntervalMs) => ModelMonitor.fromJSON(state as ModelMonitorState, config, options(snapshotIntervalMs)),
};

const digest = (records: unknown[]) => createHash('sha256').update(JSON.stringify(records)).digest('hex');
const ruleCounts = (records: unknown[]) => {
  const counts: Record<string, number> = {};
  for (const r of records as { alerts?: { rule: string }[] }[]) for (const a of r.alerts ?? []) counts[a.rule] = (counts[a.rule] ?? 0) + 1;
  return counts;
};

describe('ModelMonitor against the recording of the pre-split monitor (commit 558ac43, recorded.json)', () => {
  const run = runScenarios(factory);

  it.each(['classification', 'regression'] as const)('%s stream: every snapshot, alert, metric and checkpoint as recorded', (name) => {
    const expected = recorded.scenarios[name];
    expect(run[name]).toHaveLength(expected.records);
    // Per-rule alert counts first (readable when they differ), then the whole record, value for value.
    expect(ruleCounts(run[name])).toEqual(expected.alerts);
    expect(digest(run[name])).toBe(expected.sha256);
  });

  it('restores a checkpoint written by the pre-split monitor and writes it back unchanged', () => {
    const old = recorded.checkpoint as unknown as ModelMonitorState;
    const restored = ModelMonitor.fromJSON(old, effectiveConfig(DEFAULT_MODEL_CONFIG, {}), options(0));
    // Round trip through JSON as the repository stores it (±Infinity becomes null there too).
    expect(JSON.parse(JSON.stringify(restored.toJSON()))).toEqual(old);
  });
});
