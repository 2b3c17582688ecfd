/**
 * A ClickHouse RowBinary writer: values in the server's own binary layout, so doubles
 * arrive with their exact bits (JSONEachRow text is parsed inexactly by 18.16: about
 * 1 in 1,000 doubles lands 1 ulp off and 5e-324 becomes 0) and the server parses no text.
 * Layout (ClickHouse "Formats: RowBinary"): integers and floats little-endian,
 * String = unsigned LEB128 byte length + bytes, Nullable = 1 byte (1 = NULL) then the
 * value if present, Array = LEB128 count + elements, Enum8 = its Int8 value,
 * DateTime = UInt32 seconds.
 */
export class RowBinaryWriter {
  private out = Buffer.allocUnsafe(64 * 1024);
  private at = 0;

  /** Starts a new row (the buffer is reused between rows). */
  reset(): void {
    this.at = 0;
  }

  /** A copy of the row written since `reset`, safe to keep after the next row. */
  finish(): Buffer {
    const row = Buffer.allocUnsafe(this.at);
    this.out.copy(row, 0, 0, this.at);
    return row;
  }

  ensure(bytes: number): void {
    if (this.at + bytes <= this.out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.at + bytes));
    this.out.copy(bigger, 0, 0, this.at);
    this.out = bigger;
  }

  uint8(value: number): void {
    this.ensure(1);
    this.out[this.at++] = value;
  }

  uint32(value: number): void {
    this.ensure(4);
    this.out.writeUInt32LE(value >>> 0, this.at);
    this.at += 4;
  }

  /** A non-negative safe integer as UInt64 (offsets, epoch milliseconds). */
  uint64(value: number): void {
    this.ensure(8);
    const high = Math.floor(value / 2 ** 32);
    this.out.writeUInt32LE(value - high * 2 ** 32, this.at);
    this.out.writeUInt32LE(high, this.at + 4);
    this.at += 8;
  }

  float64(value: number): void {
    this.ensure(8);
    this.out.writeDoubleLE(value, this.at);
    this.at += 8;
  }

  /** The 8 bytes of an IEEE double copied as they are (Avro doubles are little-endian too). */
  float64Bytes(source: Buffer, start: number): void {
    this.ensure(8);
    const out = this.out;
    const at = this.at;
    // Eight assignments: cheaper than a native Buffer.copy call for so few bytes.
    for (let i = 0; i < 8; i++) out[at + i] = source[start + i];
    this.at = at + 8;
  }

  varint(value: number): void {
    this.ensure(10);
    let n = value;
    while (n >= 0x80) {
      this.out[this.at++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.out[this.at++] = n;
  }

  string(value: string): void {
    const length = Buffer.byteLength(value, 'utf8');
    this.varint(length);
    this.ensure(length);
    this.at += this.out.write(value, this.at, length, 'utf8');
  }

  /**
   * String bytes copied from `source[start, end)`; returns false when a byte is not
   * ASCII, so the caller checks UTF-8 only then. A JS loop: the strings are short,
   * where a native Buffer.copy call costs more than the copy.
   */
  stringBytes(source: Buffer, start: number, end: number): boolean {
    const length = end - start;
    this.varint(length);
    this.ensure(length);
    const out = this.out;
    let at = this.at;
    let high = 0;
    for (let i = start; i < end; i++) {
      const b = source[i];
      high |= b;
      out[at++] = b;
    }
    this.at = at;
    return high < 0x80;
  }

  nullableString(value: string | null): void {
    if (value === null) {
      this.uint8(1);
    } else {
      this.uint8(0);
      this.string(value);
    }
  }

  nullableFloat64(value: number | null): void {
    if (value === null) {
      this.uint8(1);
    } else {
      this.uint8(0);
      this.float64(value);
    }
  }
}
