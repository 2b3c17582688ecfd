import { ValidationError } from '@vigil/common';
import { AvroSchema } from '@vigil/contracts';
import { LOGICAL_TYPES } from '@vigil/messaging';
import { Type } from 'avsc';

/** Confluent wire format: magic byte 0, the schema id as a big-endian int32, the Avro body. */
const HEADER_LENGTH = 5;

/**
 * Encodes values of one contract under one registered schema id. Encoding is
 * synchronous so records enter the batch in the order the service recorded them.
 */
export class FramedEncoder {
  private readonly type: Type;
  private readonly header: Buffer;

  constructor(
    schema: AvroSchema,
    readonly schemaId: number,
  ) {
    this.type = Type.forSchema(schema as never, { logicalTypes: LOGICAL_TYPES });
    this.header = Buffer.alloc(HEADER_LENGTH);
    this.header.writeInt32BE(schemaId, 1);
  }

  /** Throws ValidationError naming the first field the schema refuses (e.g. `categoricalFeatures.country`). */
  encode(value: object): Buffer {
    let badPath: string[] | undefined;
    const valid = this.type.isValid(value, {
      errorHook: (path) => {
        badPath ??= path;
      },
    });
    if (!valid) {
      const field = badPath && badPath.length > 0 ? badPath.join('.') : (this.type.name ?? 'record');
      throw new ValidationError(field, `does not match the Avro schema ${this.type.name ?? ''}`.trim());
    }
    return Buffer.concat([this.header, this.type.toBuffer(value)]);
  }
}
