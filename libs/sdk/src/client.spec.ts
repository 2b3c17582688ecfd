import { ValidationError } from '@vigil/common';
import { LabelEvent, loadSchema, PredictionEvent, topicMap } from '@vigil/contracts';
import { LOGICAL_TYPES } from '@vigil/messaging';
import { Type } from 'avsc';
import { ClientClosedError, EventTransport, OutgoingRecord, streamEncoders, VigilClient } from './client';

class MemoryTransport implements EventTransport {
  readonly batches: OutgoingRecord[][] = [];
  closed = false;
  async send(records: OutgoingRecord[]): Promise<void> {
    this.batches.push(records);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const now = new Date('2026-11-27T12:00:00.000Z');
// Schema ids as a registry would hand them out; any distinct values do.
const ids = { predictions: 11, labels: 12, modelDeployed: 13, retrainCompleted: 14 };
const topics = topicMap('t.');

function decode<T>(record: OutgoingRecord, schema: 'prediction-event' | 'label-event'): { schemaId: number; value: T } {
  const type = Type.forSchema(loadSchema(schema) as never, { logicalTypes: LOGICAL_TYPES });
  expect(record.value.readUInt8(0)).toBe(0);
  return { schemaId: record.value.readInt32BE(1), value: type.fromBuffer(record.value.subarray(5)) as T };
}

function client(transport: MemoryTransport) {
  let n = 0;
  return new VigilClient(
    transport,
    streamEncoders(topics, ids),
    { maxMessages: 100, lingerMs: 1, maxBuffered: 1000 },
    {
      now: () => now,
      newId: () => `id-${++n}`,
    },
  );
}

describe('VigilClient', () => {
  it('fills ids, time, task and empty maps, frames with the schema id and keys by model', async () => {
    const transport = new MemoryTransport();
    const vigil = client(transport);
    const predictionId = await vigil.recordPrediction({ modelId: 'fraud', modelVersion: 'v1', predictedClass: 'fraud', latencyMs: 4 });
    const basketId = await vigil.recordPrediction({ modelId: 'basket', modelVersion: 'v1', predictedValue: 31.5, latencyMs: 2 });
    const labelId = await vigil.recordLabel({ predictionEventId: predictionId, modelId: 'fraud', trueClass: 'legit' });
    expect([predictionId, basketId, labelId]).toEqual(['id-1', 'id-2', 'id-3']);

    const records = transport.batches.flat();
    expect(records.map((r) => [r.topic, r.key])).toEqual([
      ['t.predictions', 'fraud'],
      ['t.predictions', 'basket'],
      ['t.labels', 'fraud'],
    ]);
    const prediction = decode<PredictionEvent>(records[0], 'prediction-event');
    expect(prediction).toEqual({
      schemaId: 11,
      value: {
        eventId: 'id-1',
        modelId: 'fraud',
        modelVersion: 'v1',
        eventTime: now,
        entityId: null,
        task: 'CLASSIFICATION',
        numericFeatures: {},
        categoricalFeatures: {},
        predictedClass: 'fraud',
        scores: {},
        predictedValue: null,
        latencyMs: 4,
        tags: {},
      },
    });
    expect(decode<PredictionEvent>(records[1], 'prediction-event').value.task).toBe('REGRESSION');
    expect(decode<LabelEvent>(records[2], 'label-event')).toEqual({
      schemaId: 12,
      value: { eventId: 'id-3', predictionEventId: 'id-1', modelId: 'fraud', eventTime: now, trueClass: 'legit', trueValue: null },
    });
  });

  it('refuses an invalid event naming the field, before anything is queued', async () => {
    const transport = new MemoryTransport();
    const vigil = client(transport);
    await expect(vigil.recordPrediction({ modelId: 'fraud', modelVersion: 'v1', predictedClass: 'x', latencyMs: Number.NaN })).rejects.toThrow(
      'latencyMs: must be a finite number, got NaN',
    );
    await expect(vigil.recordLabel({ predictionEventId: 'p', modelId: 'fraud' })).rejects.toThrow('trueClass: exactly one of');
    await expect(vigil.recordModelDeployed({ modelId: 'fraud', version: ' ' })).rejects.toThrow('version: is required');
    // A caller without TypeScript can still put a number where the schema wants a string.
    const untyped = { modelId: 'fraud', modelVersion: 'v1', predictedClass: 'x', latencyMs: 1, categoricalFeatures: { country: 7 } };
    const refused = vigil.recordPrediction(untyped as never);
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({ field: 'categoricalFeatures.country' });
    expect(vigil.pending).toBe(0);
    await vigil.flush();
    expect(transport.batches).toEqual([]);
  });

  it('batches records recorded together into one send', async () => {
    const transport = new MemoryTransport();
    const vigil = client(transport);
    const sent = Array.from({ length: 5 }, (_, i) => vigil.recordPrediction({ modelId: 'fraud', modelVersion: 'v1', predictedClass: 'legit', latencyMs: i }));
    await Promise.all(sent);
    expect(transport.batches.map((b) => b.length)).toEqual([5]);
  });

  it('flushes on close, then refuses new records', async () => {
    const transport = new MemoryTransport();
    const vigil = new VigilClient(transport, streamEncoders(topics, ids), { maxMessages: 100, lingerMs: 60_000, maxBuffered: 1000 });
    const deployed = vigil.recordModelDeployed({ modelId: 'fraud', version: 'v2', reason: 'retrain' });
    const retrained = vigil.recordRetrainCompleted({ modelId: 'fraud', newVersion: 'v2', succeeded: true });
    await vigil.close();
    await expect(Promise.all([deployed, retrained])).resolves.toHaveLength(2);
    expect(transport.batches.flat().map((r) => r.topic)).toEqual(['t.model-deployed', 't.retrain-completed']);
    expect(transport.closed).toBe(true);
    await expect(vigil.recordLabel({ predictionEventId: 'p', modelId: 'fraud', trueClass: 'x' })).rejects.toBeInstanceOf(ClientClosedError);
  });
});
