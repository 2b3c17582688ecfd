/**
 * The one place values enter SQL text. ClickHouse 18.16 has no server-side query
 * parameters, so every value a repository puts into a query goes through `sql`.
 */

export type SqlValue = string | number | bigint | boolean | Date | null | readonly SqlValue[];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A ClickHouse string literal: backslash, quote and control bytes escaped. */
export function quoteString(value: string): string {
  let out = "'";
  for (const ch of value) {
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case "'":
        out += "\\'";
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\0':
        out += '\\0';
        break;
      default:
        out += ch;
    }
  }
  return out + "'";
}

/** A literal for any supported value; non-finite numbers are refused, not silently written. */
export function quoteValue(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return quoteString(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`cannot write non-finite number ${value} into SQL`);
    return String(value);
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError('cannot write an invalid Date into SQL');
    return `toDateTime(${Math.floor(value.getTime() / 1000)}, 'UTC')`;
  }
  return `[${value.map(quoteValue).join(', ')}]`;
}

/** A table, column or database name: only plain identifiers are accepted. */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new RangeError(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  return name;
}

/**
 * Tagged template: `sql\`SELECT * FROM t WHERE id = ${id}\``. Interpolated values
 * become literals; use `identifier()` to interpolate a name instead.
 */
export function sql(strings: TemplateStringsArray, ...values: (SqlValue | SqlIdentifier)[]): string {
  let out = strings[0];
  values.forEach((value, i) => {
    out += (value instanceof SqlIdentifier ? value.name : quoteValue(value)) + strings[i + 1];
  });
  return out;
}

export class SqlIdentifier {
  readonly name: string;
  constructor(name: string) {
    this.name = quoteIdentifier(name);
  }
}

export function identifier(name: string): SqlIdentifier {
  return new SqlIdentifier(name);
}
