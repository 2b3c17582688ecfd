import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDetectCommand } from './detect.command';

// River doctest stream (random.Random(12345)), stored by tools/fixtures/gen_detector_fixtures.py.
const adwinFixture = JSON.parse(readFileSync(join(__dirname, '../../../libs/monitoring/fixtures/detector-adwin.json'), 'utf8')) as {
  streams: { values: number[] }[];
};
const ddmFixture = JSON.parse(readFileSync(join(__dirname, '../../../libs/monitoring/fixtures/detector-ddm.json'), 'utf8')) as {
  streams: { values: number[] }[];
  cases: { warnings: number[]; drifts: number[] }[];
};
const RIVER_STREAM = adwinFixture.streams[0].values.join('\n') + '\n';

function run(argv: string[], stdin = '', files: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = runDetectCommand(argv, {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    readStdin: () => stdin,
    readFile: (p) => {
      if (!(p in files)) throw new Error(`ENOENT: no such file '${p}'`);
      return files[p];
    },
  });
  return { code, out, err };
}

describe('vigil detect', () => {
  it('replays stdin and prints River’s doctest drift index for ADWIN (1023)', () => {
    const r = run(['--detector', 'adwin'], RIVER_STREAM);
    expect(r.code).toBe(0);
    expect(r.out).toContain('values:   2000');
    expect(r.out).toContain('drifts:   1023\n');
    expect(r.err).toBe('');
  });

  it('prints JSON with warnings and drifts (DDM doctest, River: warnings from 1084, drift 1334)', () => {
    const r = run(['--detector', 'ddm', '--json'], ddmFixture.streams[0].values.join('\n'));
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.drifts).toEqual([1334]);
    expect(out.warnings).toEqual(ddmFixture.cases[0].warnings);
    expect(out.warnings[0]).toBe(1084);
    expect(out.params).toEqual({ warmStart: 30, warningThreshold: 2, driftThreshold: 3 });
  });

  it('reads --input and applies --param (camelCase or snake_case)', () => {
    const files = { 'stream.txt': RIVER_STREAM };
    const a = run(['--detector', 'page-hinkley', '--input', 'stream.txt', '--param', 'threshold=20', '-p', 'min_instances=50', '--json'], '', files);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.out).params).toMatchObject({ threshold: 20, minInstances: 50 });
  });

  it('unknown detector: lists the names, exit 2', () => {
    const r = run(['--detector', 'kswin'], RIVER_STREAM);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown detector "kswin"; valid detectors: adwin, page-hinkley, ddm, eddm, hddm-a, hddm-w');
  });

  it('unknown parameter: lists the valid ones, exit 2', () => {
    const r = run(['--detector', 'adwin', '--param', 'window=10'], RIVER_STREAM);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown parameter "window"; valid parameters: delta, clock, maxBuckets, minWindowLength, gracePeriod');
  });

  it('bad parameter value or syntax: exit 2', () => {
    expect(run(['--detector', 'adwin', '--param', 'delta=high'], RIVER_STREAM).err).toContain('expects a finite number');
    expect(run(['--detector', 'adwin', '--param', 'delta'], RIVER_STREAM).err).toContain('--param expects k=v');
    expect(run(['--detector', 'adwin', '--param', 'delta=2'], RIVER_STREAM).err).toContain('delta must be in (0, 1)');
  });

  it('non-numeric line: names the line number, exit 2', () => {
    const r = run(['--detector', 'adwin'], '1\n2\n\nabc\n');
    expect(r.code).toBe(2);
    expect(r.err).toContain('<stdin>, line 4: "abc" is not a number');
  });

  it('empty input: exit 2', () => {
    const r = run(['--detector', 'adwin'], '\n \n');
    expect(r.code).toBe(2);
    expect(r.err).toContain('<stdin> is empty');
  });

  it('missing file, missing --detector, unknown flag: exit 2', () => {
    expect(run(['--detector', 'adwin', '--input', 'nope.txt']).err).toContain('cannot read nope.txt');
    expect(run([]).err).toContain('missing --detector');
    expect(run(['--detector', 'adwin', '--fast']).code).toBe(2);
  });

  it('--help prints usage with every detector, exit 0', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    for (const n of ['adwin', 'page-hinkley', 'ddm', 'eddm', 'hddm-a', 'hddm-w']) expect(r.out).toContain(n);
  });

  it('warns on stderr when a binary detector gets non-0/1 values', () => {
    const r = run(['--detector', 'ddm'], '0.5\n1\n0\n');
    expect(r.code).toBe(0);
    expect(r.err).toContain('expects 0/1 errors');
  });
});
