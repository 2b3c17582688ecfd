import { TabularInputError, parseTable } from './tabular-input';

function csvError(text: string): TabularInputError {
  try {
    parseTable('t.csv', text);
  } catch (e) {
    if (e instanceof TabularInputError) return e;
    throw e;
  }
  throw new Error('expected a TabularInputError');
}

describe('parseTable (CSV)', () => {
  it('reads RFC 4180 quoting, a BOM and every line ending, with the line each row starts on', () => {
    // Line 1 header (after the BOM), 2–3 a quoted field holding a CRLF, 4 blank, 5 a CRLF row,
    // 6 a row ended by a lone CR, 7 the last row without a line ending.
    const text = '\ufeffid,note\n1,"say ""hi"", x\r\ny"\n\n2,b\r\n3,c\r4,d';
    const table = parseTable('t.csv', text);
    expect(table.columns).toEqual(['id', 'note']);
    expect(table.rows).toEqual([
      { id: '1', note: 'say "hi", x\r\ny' },
      { id: '2', note: 'b' },
      { id: '3', note: 'c' },
      { id: '4', note: 'd' },
    ]);
    expect(table.lines).toEqual([2, 5, 6, 7]);
  });

  it('names the line of the record for each malformed quote', () => {
    // The record with the problem starts on line 4: header, a row, a blank line.
    expect(csvError('a,b\n1,2\n\n3,"x\n5,6\n').message).toBe('t.csv:4: unterminated quoted field');
    expect(csvError('a,b\n1,2\n\n3,x"y\n').message).toBe('t.csv:4: quote in the middle of an unquoted field');
    expect(csvError('a,b\n1,2\n\n3,"x"y\n').message).toBe('t.csv:4: text after a closing quote');
  });

  it('counts lines inside quoted fields before a ragged row', () => {
    // Row 1 spans lines 2–4; the ragged row is on line 5.
    expect(csvError('a,b\n1,"x\r\ny\nz"\n2\n').message).toBe('t.csv:5: expected 2 fields, found 1');
  });

  it('refuses empty and duplicate column names on the header line', () => {
    expect(csvError('\n\na,,b\n1,2,3\n').message).toBe('t.csv:3: empty column name at position 2');
    expect(csvError('a, a\n1,2\n').message).toBe("t.csv:1 (column 'a'): duplicate column name");
  });
});
