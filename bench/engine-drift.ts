/**
 * Drift benchmark (not a test): a 100k-row current window against a 1M-row
 * reference, 5 numeric + 5 categorical columns, the same tests in Vigil (on a
 * precomputed reference summary) and in scipy on the raw samples
 * (bench/engine_drift_reference.py, spawned; it times only its own compute).
 *
 *   npx ts-node -r tsconfig-paths/register --transpile-only bench/engine-drift.ts
 *
 * Prerequisites: a Python 3 with numpy and scipy, by default the .venv-bench that
 * `bash bench/python/env.sh` makes (else `python3`, or the one BENCH_PYTHON names);
 * without them it says so in one line and exits 1.
 *
 * Vigil's time includes summarising the current window (as the live monitor
 * does incrementally) and running the tests; the one-off summarisation of the
 * reference is timed separately.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CategoricalSummary, ColumnSummary, DatasetSummary, NumericSummary, getDriftTest, mulberry32 } from '@vigil/monitoring';

const REF_N = Number(process.env.REF_N ?? 1_000_000);
const CUR_N = Number(process.env.CUR_N ?? 100_000);
const CAPACITY = Number(process.env.CAPACITY ?? 2048);
const N_NUM = 5;
const N_CAT = 5;
const NUMERIC_TESTS = ['ks', 'wasserstein', 'jensenshannon', 'psi'];
const CATEGORICAL_TESTS = ['chisquare', 'jensenshannon', 'psi'];

function numericColumn(seed: number, n: number, i: number, shift: number): Float64Array {
  const rnd = mulberry32(seed);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const u = rnd() || 1e-12;
    const v = rnd();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    // column i: normal, lognormal, exponential-ish heavy tail, uniform, bimodal
    out[k] = [z + shift, Math.exp(z * 0.5 + shift), -Math.log(u) + shift, v * 10 + shift, (v < 0.5 ? -2 : 2) + z + shift][i % 5];
  }
  return out;
}

function categoricalColumn(seed: number, n: number, cardinality: number, skew: number): Int32Array {
  const rnd = mulberry32(seed);
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) out[k] = Math.min(cardinality - 1, Math.floor(cardinality * rnd() ** (1 + skew)));
  return out;
}

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** BENCH_PYTHON, else the reference environment `bash bench/python/env.sh` makes, else python3. */
const VENV_PYTHON = join(__dirname, '..', '.venv-bench', 'bin', 'python');
const PYTHON = process.env.BENCH_PYTHON ?? (existsSync(VENV_PYTHON) ? VENV_PYTHON : 'python3');

/** Why the scipy side cannot run, or null when PYTHON imports numpy and scipy. */
function pythonProblem(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import numpy, scipy'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} not found`;
  return probe.status === 0 ? null : `${PYTHON} lacks numpy or scipy`;
}

function main(): void {
  const problem = pythonProblem();
  if (problem) {
    console.error(`bench:engine (b) compares with scipy, and ${problem}: run bash bench/python/env.sh (makes .venv-bench with numpy and scipy), then npm run bench:engine again`);
    process.exitCode = 1;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'vigil-drift-bench-'));
  try {
    const ref: Record<string, Float64Array | Int32Array> = {};
    const cur: Record<string, Float64Array | Int32Array> = {};
    for (let i = 0; i < N_NUM; i++) {
      ref[`num${i}`] = numericColumn(100 + i, REF_N, i, 0);
      cur[`num${i}`] = numericColumn(200 + i, CUR_N, i, i === 0 ? 0.05 : 0);
      writeFileSync(join(dir, `ref_num${i}.f64`), Buffer.from(ref[`num${i}`].buffer));
      writeFileSync(join(dir, `cur_num${i}.f64`), Buffer.from(cur[`num${i}`].buffer));
    }
    const cards = [2, 5, 12, 40, 200];
    for (let i = 0; i < N_CAT; i++) {
      ref[`cat${i}`] = categoricalColumn(300 + i, REF_N, cards[i], 0.5);
      cur[`cat${i}`] = categoricalColumn(400 + i, CUR_N, cards[i], i === 0 ? 0.6 : 0.5);
      writeFileSync(join(dir, `ref_cat${i}.i32`), Buffer.from(ref[`cat${i}`].buffer));
      writeFileSync(join(dir, `cur_cat${i}.i32`), Buffer.from(cur[`cat${i}`].buffer));
    }
    const names = Object.keys(ref);
    const summarise = (data: Record<string, Float64Array | Int32Array>) => {
      const out: Record<string, ColumnSummary> = {};
      for (const name of names) {
        const s = name.startsWith('num') ? new NumericSummary({ capacity: CAPACITY }) : new CategoricalSummary();
        const col = data[name];
        for (let k = 0; k < col.length; k++) s.add(col[k]);
        out[name] = s;
      }
      return out;
    };

    let t0 = process.hrtime.bigint();
    const refSummary = summarise(ref);
    const refSeconds = seconds(t0);
    const refJson = JSON.stringify(new DatasetSummaryFrom(refSummary).toJSON());

    t0 = process.hrtime.bigint();
    const curSummary = summarise(cur);
    const results: Record<string, Record<string, number>> = {};
    for (const name of names) {
      results[name] = {};
      for (const test of name.startsWith('num') ? NUMERIC_TESTS : CATEGORICAL_TESTS) {
        const o = getDriftTest(test).compute(refSummary[name], curSummary[name]);
        results[name][test] = o.pValue ?? o.statistic;
      }
    }
    const vigilSeconds = seconds(t0);
    t0 = process.hrtime.bigint();
    for (const name of names) {
      for (const test of name.startsWith('num') ? NUMERIC_TESTS : CATEGORICAL_TESTS) {
        getDriftTest(test).compute(refSummary[name], curSummary[name]);
      }
    }
    const testsOnlySeconds = seconds(t0);

    const py = JSON.parse(
      execFileSync(PYTHON, [join(__dirname, 'engine_drift_reference.py'), dir, String(N_NUM), String(N_CAT)], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      }),
    ) as { seconds: number; results: Record<string, Record<string, number>> };

    const events = REF_N + CUR_N;
    console.log(`drift benchmark: reference ${REF_N} rows, current ${CUR_N} rows, ${N_NUM} numeric + ${N_CAT} categorical columns`);
    console.log(`events (current rows x columns): ${CUR_N * names.length}; reference rows x columns: ${REF_N * names.length}`);
    console.log(`vigil reference summarisation (one-off): ${refSeconds.toFixed(3)} s  (summary JSON ${(refJson.length / 1024).toFixed(0)} KiB)`);
    console.log(`vigil current summary + tests:          ${vigilSeconds.toFixed(3)} s  (tests alone ${testsOnlySeconds.toFixed(4)} s)`);
    console.log(`scipy on raw samples (compute only):    ${py.seconds.toFixed(3)} s`);
    console.log(`ratio scipy / vigil:                    ${(py.seconds / vigilSeconds).toFixed(1)}x  (tests alone: ${(py.seconds / testsOnlySeconds).toFixed(0)}x)`);
    console.log(`total rows processed: ${events * names.length}`);
    console.log('\ncolumn  test           vigil         scipy        |diff|');
    for (const name of names) {
      for (const [test, v] of Object.entries(results[name])) {
        const s = py.results[name][test];
        console.log(`${name.padEnd(6)}  ${test.padEnd(13)}  ${v.toExponential(5).padStart(12)}  ${s.toExponential(5).padStart(12)}  ${Math.abs(v - s).toExponential(1)}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

class DatasetSummaryFrom extends DatasetSummary {
  constructor(columns: Record<string, ColumnSummary>) {
    super();
    Object.assign(this.columns, columns);
  }
}

main();
