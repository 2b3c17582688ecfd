import { runDriftCommand } from './drift.command';

function run(argv: string[], files: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = runDriftCommand(argv, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    readFile: (p) => {
      if (!(p in files)) throw new Error(`ENOENT: no such file '${p}'`);
      return files[p];
    },
  });
  return { code, stdout, stderr };
}

// 8 reference rows; the current window shifts `age` by +10 (disjoint: KS D = 1,
// exact p = 2/C(16,8) = 1.554e-4 by hand) and keeps `country` identical.
const REF_CSV = ['age,country,note', ...[1, 2, 3, 4, 5, 6, 7, 8].map((a, i) => `${a},${i % 2 ? 'fr' : 'de'},"x, ""y"""`)].join('\n');
const CUR_CSV = ['age,country,note', ...[11, 12, 13, 14, 15, 16, 17, 18].map((a, i) => `${a},${i % 2 ? 'fr' : 'de'},"x, ""y"""`)].join('\r\n');
const CUR_JSONL = [11, 12, 13, 14, 15, 16, 17, 18].map((a, i) => JSON.stringify({ age: a, country: i % 2 ? 'fr' : 'de', note: 'x, "y"' })).join('\n');

describe('vigil drift', () => {
  it('prints an aligned table and the dataset verdict; drift is exit code 0', () => {
    const r = run(['--reference', 'ref.csv', '--current', 'cur.csv'], { 'ref.csv': REF_CSV, 'cur.csv': CUR_CSV });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^column\s+type\s+test\s+statistic\s+p-value\s+threshold\s+drift$/);
    expect(r.stdout).toMatch(/age\s+numeric\s+ks\s+1\.0000\s+1\.554e-4\s+p<0\.05\s+YES/);
    // country: 2 categories, ≤ 1000 reference rows → Z-test; identical → p = 1.
    expect(r.stdout).toMatch(/country\s+categorical\s+z\s+0\.0000\s+1\.0000\s+p<0\.05\s+no/);
    // note: the quoted CSV field reads as x, "y" on both sides (CRLF in the current file).
    expect(r.stdout).toMatch(/note\s+categorical\s+z\s+0\.0000\s+1\.0000\s+p<0\.05\s+no/);
    expect(r.stdout).toContain('Dataset drift: no — 1 of 3 columns drifted');
  });

  it('says when a column had more categories than a summary keeps', () => {
    // 1 200 distinct user ids: the default cap keeps 1 000 categories per side, so 200 rows
    // of each side are counted as overflow and compared in one "other" bin.
    const ids = Array.from({ length: 1200 }, (_, i) => `u${i}`);
    const csv = ['user', ...ids].join('\n');
    const r = run(['--reference', 'ref.csv', '--current', 'cur.csv'], { 'ref.csv': csv, 'cur.csv': csv });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('user: rows of categories beyond the summary\'s cap compared as one "other" bin (reference 200, current 200)');
    expect(r.stdout).toContain('user: approximate (quantile sketch or capped categories)');
  });

  it('--json prints one document; reads JSON Lines; honours overrides', () => {
    const r = run(
      ['--reference', 'ref.csv', '--current', 'cur.jsonl', '--json', '--test', 'age=psi', '--threshold', 'age=0.5', '--categorical', 'age', '--dataset-threshold', '0.3'],
      { 'ref.csv': REF_CSV, 'cur.jsonl': CUR_JSONL },
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const age = doc.columns.find((c: { column: string }) => c.column === 'age');
    expect(age).toMatchObject({ kind: 'categorical', test: 'psi', threshold: 0.5, drifted: true });
    expect(age.unseenCategories).toEqual(['11', '12', '13', '14', '15', '16', '17', '18']);
    expect(doc.driftShareThreshold).toBe(0.3);
    expect(doc.datasetDrift).toBe(true);
  });

  it('writes infinite statistics as strings in JSON', () => {
    const r = run(['--reference', 'a.csv', '--current', 'b.csv', '--json', '--test', 'c=chisquare'], {
      'a.csv': 'c\nx\ny\n',
      'b.csv': 'c\nx\nz\n',
    });
    expect(JSON.parse(r.stdout).columns[0]).toMatchObject({ statistic: 'Infinity', pValue: 0 });
  });

  it.each([
    [['--current', 'cur.csv'], /--reference and --current are required/],
    [['--reference', 'ref.csv', '--current', 'cur.csv', '--bogus'], /Unknown option '--bogus'/],
    [['--reference', 'ref.csv', '--current', 'cur.csv', '--test', 'age'], /--test expects <column>=<value>/],
    [['--reference', 'ref.csv', '--current', 'cur.csv', '--test', 'age=nope'], /unknown drift test 'nope'/],
    [['--reference', 'ref.csv', '--current', 'cur.csv', '--test', 'country=ks'], /does not accept categorical/],
    [['--reference', 'ref.csv', '--current', 'cur.csv', '--threshold', 'zzz=1'], /unknown column 'zzz'/],
    [['--reference', 'ref.csv', '--current', 'cur.csv', '--dataset-threshold', '2'], /--dataset-threshold must be/],
  ])('usage error %j → exit 2', (argv, message) => {
    const r = run(argv as string[], { 'ref.csv': REF_CSV, 'cur.csv': CUR_CSV });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
  });

  it.each([
    ['missing file', { 'ref.csv': REF_CSV }, /cur\.csv: cannot read: ENOENT/],
    ['empty file', { 'ref.csv': REF_CSV, 'cur.csv': '' }, /cur\.csv: empty file/],
    ['header only', { 'ref.csv': REF_CSV, 'cur.csv': 'age,country,note\n' }, /cur\.csv: no data rows/],
    ['ragged row', { 'ref.csv': REF_CSV, 'cur.csv': 'age,country,note\n1,fr,x\n2,de\n' }, /cur\.csv:3: expected 3 fields, found 2/],
    ['unterminated quote', { 'ref.csv': REF_CSV, 'cur.csv': 'age,country,note\n1,fr,"x\n' }, /cur\.csv:2: unterminated quoted field/],
    ['missing column', { 'ref.csv': REF_CSV, 'cur.csv': 'age,note\n1,x\n' }, /cur\.csv \(column 'country'\): column present in the reference/],
  ])('input error: %s → exit 2 with file and line', (_name, files, message) => {
    const r = run(['--reference', 'ref.csv', '--current', 'cur.csv'], files as Record<string, string>);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('non-numeric value in a column declared numeric names file, line and column', () => {
    const r = run(['--reference', 'ref.csv', '--current', 'cur.csv', '--numeric', 'age'], {
      'ref.csv': REF_CSV,
      'cur.csv': 'age,country,note\n1,fr,x\n"two",de,x\n',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cur.csv:3 (column 'age'): non-numeric value "two" in a numeric column`);
  });

  it('malformed JSON Lines name the line; unknown extensions are refused', () => {
    const bad = run(['--reference', 'ref.csv', '--current', 'cur.jsonl'], {
      'ref.csv': REF_CSV,
      'cur.jsonl': '{"age": 1}\n{"age": \n',
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/cur\.jsonl:2: invalid JSON/);
    const ext = run(['--reference', 'ref.txt', '--current', 'cur.csv'], { 'ref.txt': 'a', 'cur.csv': CUR_CSV });
    expect(ext.stderr).toMatch(/ref\.txt: unknown file type/);
  });

  it('missing cells are reported, not fatal', () => {
    const r = run(['--reference', 'ref.csv', '--current', 'cur.csv'], {
      'ref.csv': REF_CSV,
      'cur.csv': 'age,country,note\n,fr,x\nNA,,x\n3,de,x\n',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('age: missing values ignored (reference 0, current 2)');
  });
});
