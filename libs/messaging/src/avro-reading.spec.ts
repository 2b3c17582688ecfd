import { loadSchema, PredictionEvent } from '@vigil/contracts';
import { Type } from 'avsc';
import { predictionEvent } from '../../../test/support/events';
import { avroBodyProblem, contractReaderType, hasReplacementCharacter, InvalidUtf8Error, schemaIncompatibilities } from './avro-reading';
import { LOGICAL_TYPES } from './schema-registry';

const contractSchema = loadSchema('prediction-event');
const reader = contractReaderType(contractSchema, LOGICAL_TYPES);
const writer = Type.forSchema(contractSchema as never, { logicalTypes: LOGICAL_TYPES });
const event = predictionEvent(1);
const withFields = (change: Record<string, unknown>, extra: object[] = []): Type =>
  Type.forSchema({ ...contractSchema, fields: [...contractSchema.fields.map((f) => (f.name in change ? { ...f, type: change[f.name] } : f)), ...extra] } as never, {
    logicalTypes: LOGICAL_TYPES,
  });

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
    const sent = {
      ...event,
      numericFeatures: Object.fromEntries([
        ['__proto__', 1],
        ['constructor', 2],
        ['toString', 3],
        ['amount', 4],
      ]),
    };
    const decoded = reader.fromBuffer(writer.toBuffer(sent), reader.createResolver(writer)) as PredictionEvent;
    expect(Object.entries(decoded.numericFeatures)).toEqual([
      ['__proto__', 1],
      ['constructor', 2],
      ['toString', 3],
      ['amount', 4],
    ]);
  });
});

describe('avroBodyProblem', () => {
  const body = writer.toBuffer(event);

  it('accepts a whole record and reports trailing bytes', () => {
    expect(avroBodyProblem(writer, body, 0)).toBeUndefined();
    expect(avroBodyProblem(writer, Buffer.concat([body, Buffer.from([1, 2])]), 0)).toBe('2 trailing bytes after the record');
  });

  it('says where a truncated body ends, not that bytes trail', () => {
    // eventId "p1" (3 bytes), modelId "fraud" (6 bytes): the cut after 5 bytes falls inside modelId.
    expect(avroBodyProblem(writer, body.subarray(0, 5), 0)).toBe('truncated: the body ends in field modelId (5 bytes)');
  });

  it('names the string field that is not UTF-8', () => {
    const broken = Buffer.from(body);
    // modelId "fraud" starts at byte 4 (eventId: length byte + "p1", then modelId's length byte).
    broken[4] = 0xff;
    expect(avroBodyProblem(writer, broken, 0)).toBe('invalid UTF-8 in field modelId');
    const key = writer.toBuffer({ ...event, tags: { ok: 'x' } });
    const keyAt = key.indexOf(Buffer.from('ok'));
    key[keyAt] = 0xc3; // a lead byte followed by "k": not UTF-8
    expect(avroBodyProblem(writer, key, 0)).toBe('invalid UTF-8 in field tags.<key>');
  });
});

describe('checked reads', () => {
  it('throws InvalidUtf8Error on a non-UTF-8 string or map key and reads valid text as it is', () => {
    const body = writer.toBuffer({ ...event, tags: { ok: 'Besançon' } });
    const resolver = reader.createResolver(writer);
    expect((reader.fromBuffer(body, resolver) as PredictionEvent).tags).toEqual({ ok: 'Besançon' });
    const badKey = Buffer.from(body);
    badKey[badKey.indexOf(Buffer.from('ok'))] = 0xc3;
    expect(() => reader.decode(badKey, 0, resolver)).toThrow(InvalidUtf8Error);
  });

  it('finds U+FFFD in decoded strings, map keys and nested values only', () => {
    expect(hasReplacementCharacter({ a: 'x', b: { c: ['y', 'z\uFFFD'] } })).toBe(true);
    expect(hasReplacementCharacter({ ['k\uFFFD']: 1 })).toBe(true);
    expect(hasReplacementCharacter({ a: 'x', t: new Date(0), n: 1, b: Buffer.from([0xff]) })).toBe(false);
  });
});
