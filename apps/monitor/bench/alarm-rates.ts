/**
 * False alarms on stationary streams and detection delays after a sudden accuracy drop,
 * for the pure ModelMonitor with its default configuration (the table in docs/monitor.md).
 *
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register apps/monitor/bench/alarm-rates.ts
 */
import { DEFAULT_MODEL_CONFIG } from '../src/core/model-config';
import { ModelMonitor } from '../src/core/model-monitor';
import { RANDOM_IDS, SYSTEM_CLOCK } from '../src/system-clock';
import { mulberry32 as prng } from '@vigil/monitoring';
import { EVENT_T0, labelEvent, predictionEvent } from '../../../test/support/events';

interface Run {
  alerts: { rule: string; at: number }[];
}

/** Accuracy 0.9 until `changeAt`, then `accuracyAfter`; features shifted by `shift` after `changeAt`. */
function run(seed: number, labels: number, changeAt: number, accuracyAfter: number, shift = 0): Run {
  const m = new ModelMonitor('m', { ...DEFAULT_MODEL_CONFIG }, { snapshotIntervalMs: Infinity, clock: SYSTEM_CLOCK, ids: RANDOM_IDS });
  const rand = prng(seed);
  const alerts: Run['alerts'] = [];
  for (let i = 0; i < labels; i++) {
    const after = i >= changeAt;
    const truth = rand() < 0.5 ? 'yes' : 'no';
    const right = rand() < (after ? accuracyAfter : 0.9);
    const s = after ? shift : 0;
    m.onPrediction(
      predictionEvent(i, {
        modelId: 'm',
        numericFeatures: { amount: rand() * 100 + s, x: rand() + s },
        categoricalFeatures: { channel: rand() < 0.3 ? 'web' : 'app' },
        predictedClass: right ? truth : truth === 'yes' ? 'no' : 'yes',
        latencyMs: 5,
      }),
    );
    m.onLabel(labelEvent(i, { modelId: 'm', eventTime: new Date(EVENT_T0 + i * 1000 + 500), trueClass: truth }));
    for (const a of m.tick(0).alerts) alerts.push({ rule: a.rule, at: i });
  }
  return { alerts };
}

const stationary = Array.from({ length: 20 }, (_, s) => run(1000 + s + 1, 20_000, Infinity, 0.9));
const falseAlarms = stationary.flatMap((r) => r.alerts.map((a) => `${a.rule}@${a.at}`));
console.log(`stationary, 20 seeds × 20 000 labelled predictions: ${falseAlarms.length} alerts ${falseAlarms.join(' ')}`);

for (const accuracyAfter of [0.5, 0.7, 0.8]) {
  const runs = Array.from({ length: 10 }, (_, s) => run(2000 + s + 1, 5000, 3000, accuracyAfter));
  const delay = (r: Run, rule?: string) => {
    const hit = r.alerts.find((a) => a.at >= 3000 && (rule === undefined || a.rule === rule));
    return hit ? hit.at - 3000 + 1 : -1;
  };
  const before = runs.reduce((n, r) => n + r.alerts.filter((a) => a.at < 3000).length, 0);
  console.log(
    `0.9 → ${accuracyAfter} at label 3000: first alert after [${runs.map((r) => delay(r)).join(', ')}] labels; ` +
      `accuracy_drop after [${runs.map((r) => delay(r, 'accuracy_drop')).join(', ')}]; alerts before the change: ${before}`,
  );
}

const shifted = run(3000, 5000, 3000, 0.9, 50);
console.log(`features shifted by +50 at prediction 3000: ${shifted.alerts.map((a) => `${a.rule}@${a.at}`).join(' ')}`);
