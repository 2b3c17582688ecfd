import { loadSchema } from '@vigil/contracts';
import { contractReaderType, LOGICAL_TYPES } from '@vigil/messaging';
import { Type } from 'avsc';
import { buildPrediction } from './events';

describe('buildPrediction', () => {
  it('keeps feature names such as __proto__, constructor and toString through validation and Avro', () => {
    // Computed keys make own properties ({ __proto__: 1 } would set the prototype instead).
    const numericFeatures = { ['__proto__']: 1, constructor: 2, toString: 3 } as Record<string, number>;
    const event = buildPrediction(
      { modelId: 'm', modelVersion: 'v1', latencyMs: 1, predictedClass: 'a', numericFeatures },
      { now: () => new Date(Date.UTC(2026, 11, 1)), newId: () => 'id-1' },
    );
    const writer = Type.forSchema(loadSchema('prediction-event') as never, { logicalTypes: LOGICAL_TYPES });
    const reader = contractReaderType(loadSchema('prediction-event'), LOGICAL_TYPES);
    const decoded = reader.fromBuffer(writer.toBuffer(event), reader.createResolver(writer)) as typeof event;
    expect(Object.entries(decoded.numericFeatures)).toEqual([
      ['__proto__', 1],
      ['constructor', 2],
      ['toString', 3],
    ]);
  });
});
