import { loadSchema } from '@vigil/contracts';
import { loadValidationVectors, ValidationVector } from '../../../test/support/validation-vectors';
import { buildModelDeployed, buildPrediction, buildRetrainCompleted, EventDefaults, ModelDeployedInput, PredictionInput, RetrainCompletedInput } from './events';
import { FramedEncoder } from './framing';

// The shared vectors (schemas/validation-vectors.json) for what only the SDK checks:
// the lifecycle builders' rules and the Avro check after the domain rules.
const { now, vectors } = loadValidationVectors();
const defaults: EventDefaults = { now: () => now, newId: () => 'unused: every vector carries its eventId' };
const predictionEncoder = new FramedEncoder(loadSchema('prediction-event'), 1);

const covered = vectors.filter((v) => v.stage === 'schema' || v.kind === 'modelDeployed' || v.kind === 'retrainCompleted');

function check(vector: ValidationVector): void {
  if (vector.stage === 'schema') {
    predictionEncoder.encode(buildPrediction(vector.event as unknown as PredictionInput, defaults));
  } else if (vector.kind === 'modelDeployed') {
    buildModelDeployed(vector.event as unknown as ModelDeployedInput, defaults);
  } else {
    buildRetrainCompleted(vector.event as unknown as RetrainCompletedInput, defaults);
  }
}

describe('SDK validation: the shared vectors', () => {
  it('has schema vectors and vectors of both lifecycle kinds', () => {
    expect(covered.filter((v) => v.stage === 'schema').length).toBeGreaterThan(0);
    expect(covered.filter((v) => v.kind === 'modelDeployed').length).toBeGreaterThan(0);
    expect(covered.filter((v) => v.kind === 'retrainCompleted').length).toBeGreaterThan(0);
  });

  it.each(covered.map((v) => [`${v.kind} (${v.stage}): ${v.name}`, v] as const))('%s', (_, vector) => {
    if (vector.error === null) expect(() => check(vector)).not.toThrow();
    else expect(() => check(vector)).toThrow(new Error(vector.error));
  });
});
