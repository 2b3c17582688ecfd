import { loadValidationVectors } from '../../../test/support/validation-vectors';
import { LabelEvent, PredictionEvent } from './events';
import { validateLabel, validatePrediction } from './validation';

// The shared vectors (schemas/validation-vectors.json), also run by the Python SDK's tests.
const { now, vectors } = loadValidationVectors();
const domain = vectors.filter((v) => v.stage === 'domain' && (v.kind === 'prediction' || v.kind === 'label'));

function validate(kind: string, event: object): void {
  if (kind === 'prediction') validatePrediction(event as PredictionEvent, now.getTime());
  else validateLabel(event as LabelEvent, now.getTime());
}

describe('domain validation: the shared vectors', () => {
  it('has vectors for both kinds, valid and invalid', () => {
    for (const kind of ['prediction', 'label']) {
      expect(domain.filter((v) => v.kind === kind && v.error === null).length).toBeGreaterThan(0);
      expect(domain.filter((v) => v.kind === kind && v.error !== null).length).toBeGreaterThan(0);
    }
  });

  it.each(domain.map((v) => [`${v.kind}: ${v.name}`, v] as const))('%s', (_, vector) => {
    if (vector.error === null) expect(() => validate(vector.kind, vector.event)).not.toThrow();
    else expect(() => validate(vector.kind, vector.event)).toThrow(new Error(vector.error));
  });
});
