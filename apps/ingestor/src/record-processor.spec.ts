import { DecodeError, UnknownSchemaError } from '@vigil/common';
import { LabelEvent, loadSchema, PredictionEvent } from '@vigil/contracts';
import { LOGICAL_TYPES } from '@vigil/messaging';
import { Type } from 'avsc';
import { KafkaMessage } from 'kafkajs';
import { EventDecoder, RecordProcessor } from './record-processor';

const NOW = Date.UTC(2026, 10, 28);
const PREDICTION: PredictionEvent = {
  eventId: 'p1',
  modelId: 'fraud',
  modelVersion: 'v1',
  eventTime: new Date(Date.UTC(2026, 10, 27, 10, 0, 0, 250)),
  entityId: null,
  task: 'CLASSIFICATION',
  numericFeatures: { amount: 12.5, age: null },
  categoricalFeatures: {},
  predictedClass: 'yes',
  scores: { yes: 0.75 },
  predictedValue: null,
  latencyMs: 4,
  tags: {},
};
const LABEL: LabelEvent = { eventId: 'l1', predictionEventId: 'p1', modelId: 'fraud', eventTime: new Date(NOW), trueClass: 'yes', trueValue: null };

/** The first byte of each fake record says what the "registry" does with it. */
const decoder: EventDecoder = {
  async decode<T>(buffer: Buffer) {
    switch (buffer[0]) {
      case 1:
        return { schemaId: 11, value: PREDICTION as T };
      case 2:
        return { schemaId: 12, value: LABEL as T };
      case 3:
        return { schemaId: 11, value: { ...PREDICTION, latencyMs: Number.NaN } as T };
      case 4:
        throw new UnknownSchemaError(99);
      case 5:
        throw new Error('registry unreachable');
      default:
        throw new DecodeError('not a Confluent-framed Avro record');
    }
  },
};
const names = async (id: number) => (id === 11 ? 'dev.vigil.events.PredictionEvent' : 'dev.vigil.events.LabelEvent');
const message = (first: number, offset: number): KafkaMessage =>
  ({ key: Buffer.from('fraud'), value: Buffer.from([first]), offset: String(offset), timestamp: String(NOW), headers: {}, attributes: 0 }) as KafkaMessage;

describe('RecordProcessor', () => {
  const processor = new RecordProcessor(decoder, names, { predictions: 'predictions', labels: 'labels' });

  it('turns good records into rows and every bad one into a dead letter with its reason', async () => {
    const out = await processor.process('predictions', 3, [1, 0, 4, 3, 2, 1].map(message), NOW);
    expect(out.predictions).toHaveLength(2);
    expect(JSON.parse(out.predictions[0])).toMatchObject({
      event_id: 'p1',
      event_time: Date.UTC(2026, 10, 27, 10) / 1000,
      event_time_ms: Date.UTC(2026, 10, 27, 10, 0, 0, 250),
      numeric_feature_names: ['amount', 'age'],
      numeric_feature_values: [12.5, null],
      kafka_partition: 3,
      kafka_offset: 0,
    });
    expect(out.labels).toEqual([]);
    expect(out.deadLetters.map((d) => [d.at.offset, d.reason])).toEqual([
      ['1', 'undecodable'],
      ['2', 'unknown-schema'],
      ['3', 'invalid-record'],
      ['4', 'unsupported-event-type'],
    ]);
    expect(out.deadLetters[3].error).toBe(
      'dev.vigil.events.LabelEvent (schema id 12) does not belong on predictions, which carries dev.vigil.events.PredictionEvent',
    );
  });

  it('dead-letters a tombstone and throws on a registry outage so the batch is retried', async () => {
    const tombstone = { ...message(1, 0), value: null };
    expect((await processor.process('labels', 0, [tombstone], NOW)).deadLetters[0].reason).toBe('undecodable');
    await expect(processor.process('labels', 0, [message(5, 1)], NOW)).rejects.toThrow('registry unreachable');
  });

  it('takes the direct decoder for the contract schema and the reference path for what it leaves, with the same result', async () => {
    const contract = Type.forSchema(loadSchema('prediction-event') as never, { logicalTypes: LOGICAL_TYPES });
    const avro: EventDecoder = {
      async decode<T>(buffer: Buffer) {
        return { schemaId: buffer.readInt32BE(1), value: contract.fromBuffer(buffer.subarray(5)) as T };
      },
    };
    const framed = (event: PredictionEvent, offset: number): KafkaMessage =>
      ({ ...message(0, offset), value: Buffer.concat([Buffer.from([0, 0, 0, 0, 11]), contract.toBuffer(event)]) }) as KafkaMessage;
    const records = [
      framed(PREDICTION, 0),
      framed({ ...PREDICTION, numericFeatures: { '2': 1, '1': 2 } }, 1), // integer-like keys: left to the reference path
      framed({ ...PREDICTION, latencyMs: -1 }, 2), // invalid: the reference path dead-letters it
    ];
    const checked: number[] = [];
    const withDirect = new RecordProcessor(avro, names, { predictions: 'predictions', labels: 'labels' }, async (id) => {
      checked.push(id);
      return id === 11;
    });
    const referenceOnly = new RecordProcessor(avro, names, { predictions: 'predictions', labels: 'labels' });
    const direct = await withDirect.process('predictions', 3, records, NOW);
    expect(direct).toEqual(await referenceOnly.process('predictions', 3, records, NOW));
    expect(direct.predictions).toHaveLength(2);
    expect(JSON.parse(direct.predictions[1]).numeric_feature_names).toEqual(['1', '2']);
    expect(direct.deadLetters.map((d) => [d.at.offset, d.reason, d.error])).toEqual([['2', 'invalid-record', expect.stringContaining('latencyMs')]]);
    expect(checked).toEqual([11]); // asked once per schema id
  });
});
