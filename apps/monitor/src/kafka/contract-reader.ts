import { ValidationError } from '@vigil/common';
import { EVENT_STREAMS, LabelEvent, loadSchema, PredictionEvent, validateLabel, validatePrediction } from '@vigil/contracts';
import { AvroDecoder, contractReaderType, LOGICAL_TYPES, readSchemaId, schemaIncompatibilities } from '@vigil/messaging';
import { Type } from 'avsc';

export type InputStream = 'predictions' | 'labels';
export type InputEvent = PredictionEvent | LabelEvent;

/**
 * Reads the monitor's input records as the contract, judged by each record's writer
 * schema and not by the name it claims: a writer schema whose fields do not resolve to
 * the contract's (e.g. `entityId: ["null","long"]`, `tags: map<long>`) is refused with
 * every such field named, checked once per schema id and cached. Records that resolve
 * are decoded into the contract type (maps as null-prototype objects, so `__proto__`
 * is a feature like any other) and checked against the contract's domain rules.
 */
export class ContractReader {
  private readonly readers: Record<InputStream, Type> = {
    predictions: contractReaderType(loadSchema(EVENT_STREAMS.predictions.schema), LOGICAL_TYPES),
    labels: contractReaderType(loadSchema(EVENT_STREAMS.labels.schema), LOGICAL_TYPES),
  };
  /** `${stream}:${schemaId}` → why that writer schema cannot be read as the contract (empty: it can). */
  private readonly verdicts = new Map<string, string[]>();

  constructor(private readonly decoder: AvroDecoder) {}

  /** The event, or a RejectedRecordError (dead letter); registry outages are rethrown as they are. */
  async read(stream: 'predictions', value: Buffer): Promise<PredictionEvent>;
  async read(stream: 'labels', value: Buffer): Promise<LabelEvent>;
  async read(stream: InputStream, value: Buffer): Promise<InputEvent>;
  async read(stream: InputStream, value: Buffer): Promise<InputEvent> {
    const schemaId = readSchemaId(value);
    const problems = await this.incompatibilities(stream, schemaId);
    if (problems.length > 0) {
      throw new ValidationError(`writer schema ${schemaId}`, `cannot be read as the ${EVENT_STREAMS[stream].schema} contract: ${problems.join('; ')}`);
    }
    const decoded = await this.decoder.decodeAs<InputEvent>(value, this.readers[stream]);
    return stream === 'predictions' ? validatePrediction(decoded.value as PredictionEvent) : validateLabel(decoded.value as LabelEvent);
  }

  private async incompatibilities(stream: InputStream, schemaId: number): Promise<string[]> {
    const key = `${stream}:${schemaId}`;
    let problems = this.verdicts.get(key);
    if (!problems) {
      problems = schemaIncompatibilities(this.readers[stream], await this.decoder.writerType(schemaId));
      this.verdicts.set(key, problems);
    }
    return problems;
  }
}
