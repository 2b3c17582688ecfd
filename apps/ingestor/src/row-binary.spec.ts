import { RowBinaryWriter } from './row-binary';

const written = (write: (w: RowBinaryWriter) => void): number[] => {
  const w = new RowBinaryWriter();
  write(w);
  return [...w.finish()];
};

describe('RowBinaryWriter', () => {
  it('writes the layouts of ClickHouse RowBinary', () => {
    // LEB128: 300 = 0b10_0101100 -> 0xac 0x02.
    expect(written((w) => w.varint(300))).toEqual([0xac, 0x02]);
    // "é" is 2 UTF-8 bytes: length 2, then c3 a9.
    expect(written((w) => w.string('é'))).toEqual([2, 0xc3, 0xa9]);
    expect(written((w) => w.nullableString(null))).toEqual([1]);
    expect(written((w) => w.nullableFloat64(1))).toEqual([0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]); // 1.0 = 0x3ff0000000000000
    // 2^32 + 5 as UInt64 little-endian.
    expect(written((w) => w.uint64(2 ** 32 + 5))).toEqual([5, 0, 0, 0, 1, 0, 0, 0]);
    expect(written((w) => w.uint32(0x01020304))).toEqual([4, 3, 2, 1]);
  });

  it('keeps the sign of -0 and subnormals', () => {
    expect(written((w) => w.float64(-0))).toEqual([0, 0, 0, 0, 0, 0, 0, 0x80]);
    expect(written((w) => w.float64(5e-324))).toEqual([1, 0, 0, 0, 0, 0, 0, 0]); // smallest subnormal: mantissa 1
  });

  it('grows past its initial 64 KiB and resets between rows', () => {
    const w = new RowBinaryWriter();
    w.string('x'.repeat(100_000));
    expect(w.finish().length).toBe(3 + 100_000); // 100000 needs 3 LEB128 bytes (< 2^21)
    w.reset();
    w.uint8(7);
    expect([...w.finish()]).toEqual([7]);
  });
});
