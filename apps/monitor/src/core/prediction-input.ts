import type { PredictionEvent, Task } from '@vigil/contracts';
import type { ColumnKind } from '@vigil/monitoring';

/** The drift column holding the model's output, next to its features. */
export const PREDICTION_COLUMN = '@prediction';

/**
 * Why `p` cannot enter the engine of a model whose predictions so far are of `task` and
 * whose columns have `kinds` (null when not known yet): another task, no output for its
 * task, a feature of the other kind than in the model's reference, or a feature named
 * like the output's drift column. Null when it can.
 */
export function predictionInputProblem(p: PredictionEvent, task: Task | null, kinds: Readonly<Record<string, ColumnKind>> | null): { field: string; message: string } | null {
  if (task !== null && p.task !== task) return { field: 'task', message: `${p.task}, but this model's predictions are ${task}` };
  if ((p.task === 'CLASSIFICATION' ? p.predictedClass : p.predictedValue) === null) {
    return { field: p.task === 'CLASSIFICATION' ? 'predictedClass' : 'predictedValue', message: `is required for ${p.task}` };
  }
  const sides = [
    ['numericFeatures', p.numericFeatures, 'numeric'],
    ['categoricalFeatures', p.categoricalFeatures, 'categorical'],
  ] as const;
  for (const [field, features, kind] of sides) {
    for (const name of Object.keys(features)) {
      if (name === PREDICTION_COLUMN) return { field: `${field}.${name}`, message: `"${PREDICTION_COLUMN}" is the name of the model output's drift column` };
      // Own properties only: a feature named `constructor` is not Object.prototype's.
      const known = kinds && Object.hasOwn(kinds, name) ? kinds[name] : undefined;
      if (known !== undefined && known !== kind) return { field: `${field}.${name}`, message: `is ${known} in this model's reference, not ${kind}` };
    }
  }
  return null;
}
