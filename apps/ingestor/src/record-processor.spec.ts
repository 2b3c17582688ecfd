import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { loadSchema } from '@vigil/contracts';
import { AvroDecoder, LOGICAL_TYPES } from '@vigil/messaging';
import { Type } from 'avsc';
import { KafkaMessage } from 'kafkajs';
import { RecordProcessor } from './record-processor';
import { labelEvent, predictionEvent } from '../../../test/support/events';

const NOW = Date.UTC(2026, 10, 28);
const PREDICTION = predictionEvent(1, {
  eventTime: new Date(Date.UTC(2026, 10, 27, 10, 0, 0, 250)),
  numericFeatures: { amount: 12.5, age: null },
  scores: { yes: 0.75 },
  latencyMs: 4,
});
const LABEL = labelEvent(1, { eventTime: new Date(NOW) });

const forSchema = (schema: object): Type => Type.forSchema(schema as never, { logicalTypes: LOGICAL_TYPES });
const predictionSchema = loadSchema('prediction-event');
/** The measured poison: PredictionEvent's full name, other field types (docs/ingest.md, incompatible-schema). */
const lookalike = forSchema({
  ...predictionSchema,
  fields: predictionSchema.fields.map((f) => (f.name === 'entityId' ? { ...f, type: ['null', 'long'] } : f.name === 'tags' ? { ...f, type: { type: 'map', values: 'long' } } : f)),
});
/** Schema ids of this fake registry; 50 stands for a registry outage, anything else is unknown (404). */
const SCHEMAS = new Map<number, Type>([
  [11, forSchema(predictionSchema)],
  [12, forSchema(loadSchema('label-event'))],
  [13, lookalike],
]);
const registry = {
  async getSchema(id: number): Promise<Type> {
    if (id === 50) throw new Error('registry unreachable');
    const type = SCHEMAS.get(id);
    if (!type) throw Object.assign(new Error('not found'), { status: 404 });
    return type;
  },
} as unknown as SchemaRegistry;

const framed = (schemaId: number, body: Buffer): Buffer => {
  const header = Buffer.alloc(5);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
};
const encode = (schemaId: number, value: unknown): Buffer => framed(schemaId, SCHEMAS.get(schemaId)!.toBuffer(value));
const message = (value: Buffer | null, offset: number): KafkaMessage =>
  ({ key: Buffer.from('fraud'), value, offset: String(offset), timestamp: String(NOW), headers: {}, attributes: 0 }) as KafkaMessage;
const topics = { predictions: 'predictions', labels: 'labels' };

describe('RecordProcessor', () => {
  const processor = new RecordProcessor(new AvroDecoder(registry), topics, false);

  it('turns good records into rows and every bad one into a dead letter with its reason', async () => {
    const records = [
      encode(11, PREDICTION),
      Buffer.from('not avro'),
      framed(99, Buffer.from([0])),
      encode(11, { ...PREDICTION, latencyMs: -1 }),
      encode(12, LABEL),
      encode(13, { ...PREDICTION, entityId: 7, tags: { n: 1 } }),
      encode(11, PREDICTION).subarray(0, 20),
      encode(11, PREDICTION),
    ].map(message);
    const out = await processor.process('predictions', 3, records, NOW);
    expect(out.predictions.map((row) => [row.source.at.offset, row.day])).toEqual([
      ['0', Math.floor(Date.UTC(2026, 10, 27) / 86_400_000)],
      ['7', Math.floor(Date.UTC(2026, 10, 27) / 86_400_000)],
    ]);
    expect(out.labels).toEqual([]);
    expect(out.deadLetters.map((d) => [d.at.offset, d.reason, d.error])).toEqual([
      ['1', 'undecodable', 'not a Confluent-framed Avro record (missing magic byte 0 and schema id)'],
      ['2', 'unknown-schema', 'schema id 99 is not known to the schema registry'],
      ['3', 'invalid-record', 'latencyMs: -1 is outside 0 .. 86400000'],
      ['4', 'unsupported-event-type', 'dev.vigil.events.LabelEvent (schema id 12) does not belong on predictions, which carries dev.vigil.events.PredictionEvent'],
      [
        '5',
        'incompatible-schema',
        'dev.vigil.events.PredictionEvent (schema id 13) cannot be read as dev.vigil.events.PredictionEvent: ' +
          'entityId: expected ["null","string"], found ["null","long"]; tags: expected {"type":"map","values":"string"}, found {"type":"map","values":"long"}',
      ],
      // 20 bytes: 5 of framing + 15 of body; eventId, modelId, modelVersion take 3 + 6 + 3, and
      // eventTime (1.8e12 ms, zigzag 42 bits) a 6-byte varint, so the cut falls in eventTime.
      ['6', 'undecodable', 'Avro body does not match schema id 11: truncated: the body ends in field eventTime (15 bytes)'],
    ]);
    expect(out.deadLetters[0].value).toEqual(Buffer.from('not avro')); // original bytes kept
  });

  it('dead-letters a tombstone and throws on a registry outage so the batch is retried', async () => {
    expect((await processor.process('labels', 0, [message(null, 0)], NOW)).deadLetters[0].reason).toBe('undecodable');
    await expect(processor.process('labels', 0, [message(framed(50, Buffer.from([0])), 1)], NOW)).rejects.toThrow('registry unreachable');
  });

  it('keeps __proto__ and constructor as feature names', async () => {
    const numericFeatures = Object.fromEntries([
      ['__proto__', 1],
      ['constructor', 2],
    ]) as Record<string, number>;
    const out = await processor.process('predictions', 0, [message(encode(11, { ...PREDICTION, numericFeatures }), 0)], NOW);
    expect(out.deadLetters).toEqual([]);
    expect(out.predictions[0].bytes.includes(Buffer.from('__proto__'))).toBe(true);
    expect(out.predictions[0].bytes.includes(Buffer.from('constructor'))).toBe(true);
  });

  it('dead-letters a string that is not UTF-8 instead of storing U+FFFD', async () => {
    const value = encode(11, PREDICTION);
    value[value.indexOf(Buffer.from('fraud'))] = 0xff;
    for (const direct of [false, true]) {
      const out = await new RecordProcessor(new AvroDecoder(registry), topics, direct).process('predictions', 0, [message(value, 0)], NOW);
      expect(out.deadLetters.map((d) => [d.reason, d.error])).toEqual([['undecodable', 'Avro body does not match schema id 11: invalid UTF-8 in field modelId']]);
    }
  });

  it('takes the direct decoder for the contract schema and the reference path for what it leaves, with the same result', async () => {
    const records = [
      encode(11, PREDICTION),
      encode(11, { ...PREDICTION, numericFeatures: { '2': 1, '1': 2 } }), // integer-like keys: left to the reference path
      encode(11, { ...PREDICTION, latencyMs: -1 }), // invalid: the reference path dead-letters it
    ].map(message);
    const direct = await new RecordProcessor(new AvroDecoder(registry), topics, true).process('predictions', 3, records, NOW);
    expect(direct).toEqual(await processor.process('predictions', 3, records, NOW));
    expect(direct.predictions).toHaveLength(2);
    expect(direct.deadLetters.map((d) => [d.at.offset, d.reason])).toEqual([['2', 'invalid-record']]);
  });

  it('dead-letters a decoded record the row writer cannot take instead of failing the batch', async () => {
    const decoder = new AvroDecoder(registry);
    // A value of a type the contract does not allow (a number as a tag), as a faulty decoder could hand over.
    decoder.decodeAs = async <T>() => ({ schemaId: 11, value: { ...PREDICTION, tags: { n: 1 } } as T });
    const out = await new RecordProcessor(decoder, topics, false).process('predictions', 0, [message(encode(11, PREDICTION), 0)], NOW);
    expect(out.predictions).toEqual([]);
    expect(out.deadLetters.map((d) => [d.reason, d.error])).toEqual([['invalid-record', expect.stringMatching(/^cannot turn the decoded record into a row: /)]]);
  });
});
