import { DecodeError, IncompatibleSchemaError, RejectedRecordError, UnsupportedEventTypeError } from '@vigil/common';
import { EVENT_STREAMS, LabelEvent, loadSchema, PredictionEvent, TopicMap, validateLabel, validatePrediction } from '@vigil/contracts';
import { contractReaderType, LOGICAL_TYPES, readSchemaId, schemaIncompatibilities } from '@vigil/messaging';
import { Type } from 'avsc';
import { KafkaMessage } from 'kafkajs';
import { directPredictionRow, isContractPredictionSchema } from './prediction-decoder';
import { DeadLetter, KafkaPosition, labelRow, predictionRow, RecordSource, Row } from './rows';

/** What the ingestor needs from the registry-backed decoder (AvroDecoder in production). */
export interface EventDecoder {
  /** The writer schema of an id; UnknownSchemaError when the registry has none, anything else is an outage. */
  writerType(schemaId: number): Promise<Type>;
  /** Decodes into `reader` through schema resolution (the writer schema was checked to resolve). */
  decodeAs<T>(buffer: Buffer, reader: Type): Promise<{ schemaId: number; value: T }>;
}

/** One Kafka batch turned into table rows and refusals; offsets stay with the caller. */
export interface ProcessedBatch {
  predictions: Row[];
  labels: Row[];
  deadLetters: DeadLetter[];
}

interface Contract {
  name: string;
  reader: Type;
}

const contract = (schema: 'prediction-event' | 'label-event'): Contract => {
  const avsc = loadSchema(schema);
  return { name: `${avsc.namespace as string}.${avsc.name}`, reader: contractReaderType(avsc, LOGICAL_TYPES) };
};
const PREDICTION = contract('prediction-event');
const LABEL = contract('label-event');

/** Full names of every contract: a record of another one on this topic is an unsupported event type. */
const CONTRACT_NAMES = new Set(
  Object.values(EVENT_STREAMS).map(({ schema }) => {
    const avsc = loadSchema(schema);
    return `${avsc.namespace as string}.${avsc.name}`;
  }),
);

/** A decoded record the row writer cannot take (a value of a type the contract does not allow). */
class UnbuildableRowError extends RejectedRecordError {
  readonly reason = 'invalid-record' as const;
}

/** What a schema id's records get on a topic: read as the contract (maybe directly), or refused with a reason. */
type Verdict = { read: true; direct: boolean } | { read: false; refusal: RejectedRecordError };

/**
 * Decode → judge the writer schema against the topic's contract → validate → row.
 * Records that can never be ingested become dead letters; anything else (a registry
 * outage) is thrown so the batch is retried rather than dropped.
 *
 * A record is judged by its writer schema's fields and types (Avro schema resolution
 * against the contract, once per schema id), not by the name it claims: a look-alike
 * schema with the contract's name but other field types is refused with the fields
 * named, instead of reaching ClickHouse as rows it cannot parse.
 */
export class RecordProcessor {
  private readonly verdicts = new Map<Contract, Map<number, Verdict>>([
    [PREDICTION, new Map()],
    [LABEL, new Map()],
  ]);

  /** With `directDecoder` false every record takes the reference path (decoder → validate → row). */
  constructor(
    private readonly decoder: EventDecoder,
    private readonly topics: Pick<TopicMap, 'predictions' | 'labels'>,
    private readonly directDecoder: boolean,
  ) {}

  async process(topic: string, partition: number, messages: KafkaMessage[], nowMs: number): Promise<ProcessedBatch> {
    const out: ProcessedBatch = { predictions: [], labels: [], deadLetters: [] };
    const expected = topic === this.topics.predictions ? PREDICTION : topic === this.topics.labels ? LABEL : undefined;
    for (const message of messages) {
      const at: KafkaPosition = { topic, partition, offset: message.offset, timestampMs: Number(message.timestamp) };
      const source: RecordSource = { at, key: message.key, value: message.value, headers: message.headers };
      try {
        if (!message.value) throw new DecodeError('record has no value (tombstone)');
        const schemaId = readSchemaId(message.value);
        if (expected === undefined) throw new UnsupportedEventTypeError(`${topic} carries nothing this ingestor reads`);
        // Cached per schema id: no await (one microtask per record) once the id is known.
        const verdict = this.verdicts.get(expected)!.get(schemaId) ?? (await this.verdict(topic, expected, schemaId));
        if (!verdict.read) throw verdict.refusal;
        if (verdict.direct) {
          const row = directPredictionRow(message.value, schemaId, partition, message.offset, nowMs);
          if (row !== undefined) {
            out.predictions.push({ bytes: row.bytes, day: row.day, source });
            continue;
          }
        }
        const { value } = await this.decoder.decodeAs<unknown>(message.value, expected.reader);
        try {
          if (expected === PREDICTION) {
            out.predictions.push({ ...predictionRow(validatePrediction(value as PredictionEvent, nowMs), schemaId, at), source });
          } else {
            out.labels.push({ ...labelRow(validateLabel(value as LabelEvent, nowMs), schemaId, at), source });
          }
        } catch (error) {
          // The writer schema is known and checked by now, so a failure here belongs to this record:
          // dead-letter it rather than fail (and endlessly retry) the whole batch.
          if (error instanceof RejectedRecordError) throw error;
          throw new UnbuildableRowError(`cannot turn the decoded record into a row: ${(error as Error).message}`);
        }
      } catch (error) {
        if (!(error instanceof RejectedRecordError)) throw error;
        out.deadLetters.push({ ...source, reason: error.reason, error: error.message });
      }
    }
    return out;
  }

  /** Cached per schema id; an unknown id or a registry outage is not cached (thrown as it is). */
  private async verdict(topic: string, expected: Contract, schemaId: number): Promise<Verdict> {
    const cache = this.verdicts.get(expected)!;
    let verdict = cache.get(schemaId);
    if (verdict === undefined) {
      verdict = this.judge(topic, expected, schemaId, await this.decoder.writerType(schemaId));
      cache.set(schemaId, verdict);
    }
    return verdict;
  }

  private judge(topic: string, expected: Contract, schemaId: number, writer: Type): Verdict {
    const name = writer.name ?? `an unnamed ${writer.typeName}`;
    const described = `${name} (schema id ${schemaId})`;
    if (name !== expected.name && CONTRACT_NAMES.has(name)) {
      return { read: false, refusal: new UnsupportedEventTypeError(`${described} does not belong on ${topic}, which carries ${expected.name}`) };
    }
    const problems = schemaIncompatibilities(expected.reader, writer);
    if (problems.length > 0) {
      return { read: false, refusal: new IncompatibleSchemaError(`${described} cannot be read as ${expected.name}: ${problems.join('; ')}`) };
    }
    return { read: true, direct: this.directDecoder && expected === PREDICTION && isContractPredictionSchema(writer) };
  }
}
