import { identifier, quoteString, quoteValue, sql } from './sql';

describe('sql escaping', () => {
  it('escapes quotes, backslashes and control characters in string literals', () => {
    expect(quoteString("it's")).toBe("'it\\'s'");
    expect(quoteString('a\\b')).toBe("'a\\\\b'");
    expect(quoteString('line1\nline2\t\0')).toBe("'line1\\nline2\\t\\0'");
    // The classic injection attempt stays inside one literal.
    expect(quoteString("x'; DROP TABLE t; --")).toBe("'x\\'; DROP TABLE t; --'");
    expect(quoteString('ünïcødé ✓')).toBe("'ünïcødé ✓'");
  });

  it('writes numbers, booleans, nulls, dates and arrays', () => {
    expect(quoteValue(42)).toBe('42');
    expect(quoteValue(-1.5)).toBe('-1.5');
    expect(quoteValue(12345678901234567890n)).toBe('12345678901234567890');
    expect(quoteValue(true)).toBe('1');
    expect(quoteValue(null)).toBe('NULL');
    // 2026-01-02T03:04:05Z is 1767323045 s since the epoch (date -d @1767323045 -u).
    expect(quoteValue(new Date('2026-01-02T03:04:05.678Z'))).toBe("toDateTime(1767323045, 'UTC')");
    expect(quoteValue(['a', "b'", 3])).toBe("['a', 'b\\'', 3]");
  });

  it('refuses values it cannot write faithfully', () => {
    expect(() => quoteValue(Number.NaN)).toThrow(/non-finite/);
    expect(() => quoteValue(Number.POSITIVE_INFINITY)).toThrow(/non-finite/);
    expect(() => quoteValue(new Date('nope'))).toThrow(/invalid Date/);
  });

  it('interpolates values as literals and names as checked identifiers', () => {
    const model = "fraud' OR 1=1";
    expect(sql`SELECT count() FROM ${identifier('predictions')} WHERE model_id = ${model}`).toBe("SELECT count() FROM predictions WHERE model_id = 'fraud\\' OR 1=1'");
    expect(() => identifier('predictions; DROP')).toThrow(/identifier/);
  });
});
