import { DecodeError } from '@vigil/common';
import { loadSchema, PredictionEvent } from '@vigil/contracts';
import { LOGICAL_TYPES, readSchemaId } from '@vigil/messaging';
import { FramedEncoder } from '@vigil/sdk';
import { Type } from 'avsc';
import { malformedBytes, UNKNOWN_SCHEMA_ID } from './malformed';
import { predictionEvent } from '../../../test/support/events';

const schema = loadSchema('prediction-event');
const encoder = new FramedEncoder(schema, 21);
const prediction = predictionEvent(1, { modelId: 'card-fraud', numericFeatures: { amount: 10 }, predictedClass: 'legit', latencyMs: 5 });

describe('malformedBytes', () => {
  it('makes bytes without the Confluent header', () => {
    expect(() => readSchemaId(malformedBytes('garbage-bytes', prediction, encoder))).toThrow(DecodeError);
  });

  it('frames a valid body under a schema id no registry knows', () => {
    expect(readSchemaId(malformedBytes('unknown-schema', prediction, encoder))).toBe(UNKNOWN_SCHEMA_ID);
  });

  it('encodes NaN latency under the real schema id', () => {
    const bytes = malformedBytes('nan-latency', prediction, encoder);
    expect(readSchemaId(bytes)).toBe(21);
    const type = Type.forSchema(schema as never, { logicalTypes: LOGICAL_TYPES });
    expect((type.fromBuffer(bytes.subarray(5)) as PredictionEvent).latencyMs).toBeNaN();
  });
});
