import { loadSchema, PredictionEvent } from '@vigil/contracts';
import { Type } from 'avsc';
import { avroBodyProblem, contractReaderType, schemaIncompatibilities } from './avro-reading';
import { LOGICAL_TYPES } from './schema-registry';

const contractSchema = loadSchema('prediction-event');
const reader = contractReaderType(contractSchema, LOGICAL_TYPES);
const writer = Type.forSchema(contractSchema as never, { logicalTypes: LOGICAL_TYPES });
const event: PredictionEvent = {
  eventId: 'e1',
  modelId: 'fraud',
  modelVersion: 'v1',
  eventTime: new Date(Date.UTC(2026, 10, 27)),
  entityId: null,
  task: 'CLASSIFICATION',
  numericFeatures: {},
  categoricalFeatures: {},
  predictedClass: 'yes',
  scores: {},
  predictedValue: null,
  latencyMs: 1,
  tags: {},
};
const withFields = (change: Record<string, unknown>, extra: object[] = []): Type =>
  Type.forSchema(
    { ...contractSchema, fields: [...contractSchema.fields.map((f) => (f.name in change ? { ...f, type: change[f.name] } : f)), ...extra] } as never,
    { logicalTypes: LOGICAL_TYPES },
  );

describe('schemaIncompatibilities', () => {
  it('names each field of a look-alike schema with the expected and the found type', () => {
    const lookalike = withFields({ entityId: ['null', 'long'], tags: { type: 'map', values: 'long' } });
    expect(schemaIncompatibilities(reader, lookalike)).toEqual([
      'entityId: expected ["null","string"], found ["null","long"]',
      'tags: expected {"type":"map","values":"string"}, found {"type":"map","values":"long"}',
    ]);
  });

  it('accepts the contract itself and a version with an added optional field', () => {
    expect(schemaIncompatibilities(reader, writer)).toEqual([]);
    expect(schemaIncompatibilities(reader, withFields({}, [{ name: 'region', type: ['null', 'string'], default: null }]))).toEqual([]);
  });

  it('refuses a writer that lacks a field the contract requires', () => {
    const fields = contractSchema.fields.filter((f) => f.name !== 'latencyMs');
    const missing = Type.forSchema({ ...contractSchema, fields } as never, { logicalTypes: LOGICAL_TYPES });
    expect(schemaIncompatibilities(reader, missing)).toEqual(['latencyMs: missing (the contract gives it no default)']);
  });
});

describe('contractReaderType', () => {
  it('keeps __proto__, constructor and toString as map keys', () => {
    const sent = { ...event, numericFeatures: Object.fromEntries([['__proto__', 1], ['constructor', 2], ['toString', 3], ['amount', 4]]) };
    const decoded = reader.fromBuffer(writer.toBuffer(sent), reader.createResolver(writer)) as PredictionEvent;
    expect(Object.entries(decoded.numericFeatures)).toEqual([['__proto__', 1], ['constructor', 2], ['toString', 3], ['amount', 4]]);
  });
});

describe('avroBodyProblem', () => {
  const body = writer.toBuffer(event);

  it('accepts a whole record and reports trailing bytes', () => {
    expect(avroBodyProblem(writer, body, 0)).toBeUndefined();
    expect(avroBodyProblem(writer, Buffer.concat([body, Buffer.from([1, 2])]), 0)).toBe('2 trailing bytes after the record');
  });

  it('says where a truncated body ends, not that bytes trail', () => {
    // eventId "e1" (3 bytes), modelId "fraud" (6 bytes): the cut after 5 bytes falls inside modelId.
    expect(avroBodyProblem(writer, body.subarray(0, 5), 0)).toBe('truncated: the body ends in field modelId (5 bytes)');
  });

  it('names the string field that is not UTF-8', () => {
    const broken = Buffer.from(body);
    // modelId "fraud" starts at byte 4 (eventId: length byte + "e1", then modelId's length byte).
    broken[4] = 0xff;
    expect(avroBodyProblem(writer, broken, 0)).toBe('invalid UTF-8 in field modelId');
    const key = writer.toBuffer({ ...event, tags: { ok: 'x' } });
    const keyAt = key.indexOf(Buffer.from('ok'));
    key[keyAt] = 0xc3; // a lead byte followed by "k": not UTF-8
    expect(avroBodyProblem(writer, key, 0)).toBe('invalid UTF-8 in field tags.<key>');
  });
});
