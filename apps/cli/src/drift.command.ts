/**
 * `vigil drift`: drift of a current data set against a reference, per column and
 * for the data set, with the same registry, default-test rule and summaries the
 * live monitor uses.
 *
 * Exit codes: 0 the comparison ran (drift or not: drift is a finding, not an
 * error); 2 usage or input error (message on stderr).
 */
import { parseArgs } from 'node:util';
import {
  ColumnDriftOptions,
  ColumnKind,
  ColumnSummary,
  DEFAULT_DRIFT_SHARE_THRESHOLD,
  DatasetDriftResult,
  computeDatasetDrift,
  createColumnSummary,
  getDriftTest,
  listDriftTests,
} from '@vigil/monitoring';
import { Table, TabularInputError, isMissingCell, parseTable, toNumber } from './tabular-input';

export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readFile: (path: string) => string;
}

export const DRIFT_USAGE = `Usage: vigil drift --reference <ref.csv|.jsonl> --current <cur.csv|.jsonl> [options]

Options:
  --json                      print one JSON document instead of a table
  --test <col>=<test>         test for a column (repeatable); tests: ${listDriftTests()
    .map((t) => t.name)
    .join(', ')}
  --threshold <col>=<value>   threshold for a column's test (repeatable)
  --categorical <col>         treat a column as categorical (repeatable)
  --numeric <col>             treat a column as numeric (repeatable)
  --dataset-threshold <share> share of drifted columns for dataset drift (default ${DEFAULT_DRIFT_SHARE_THRESHOLD})
  -h, --help                  show this help

Columns are numeric when every non-missing value in both files is a number,
categorical otherwise. The default test per column follows Evidently's rule
(see libs/monitoring/src/drift/README.md).
`;

class UsageError extends Error {}

function parsePairs(values: string[] | undefined, flag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of values ?? []) {
    const eq = v.lastIndexOf('=');
    if (eq <= 0 || eq === v.length - 1) throw new UsageError(`${flag} expects <column>=<value>, got '${v}'`);
    out.set(v.slice(0, eq), v.slice(eq + 1));
  }
  return out;
}

function inferKinds(tables: Table[], columns: string[], numeric: Set<string>, categorical: Set<string>) {
  const kinds: Record<string, ColumnKind> = {};
  for (const c of columns) {
    if (numeric.has(c)) kinds[c] = 'numeric';
    else if (categorical.has(c)) kinds[c] = 'categorical';
    else {
      let allNumeric = true;
      let anyValue = false;
      for (const t of tables) {
        for (const row of t.rows) {
          const v = row[c];
          if (isMissingCell(v)) continue;
          anyValue = true;
          if (toNumber(v) === null) {
            allNumeric = false;
            break;
          }
        }
        if (!allNumeric) break;
      }
      kinds[c] = allNumeric && anyValue ? 'numeric' : 'categorical';
    }
  }
  return kinds;
}

function summarise(table: Table, kinds: Record<string, ColumnKind>): Record<string, ColumnSummary> {
  const summaries: Record<string, ColumnSummary> = {};
  for (const [c, kind] of Object.entries(kinds)) summaries[c] = createColumnSummary(kind);
  table.rows.forEach((row, i) => {
    for (const [c, kind] of Object.entries(kinds)) {
      const v = row[c];
      if (isMissingCell(v)) {
        summaries[c].add(null);
      } else if (kind === 'numeric') {
        const x = toNumber(v);
        if (x === null) {
          throw new TabularInputError(table.file, table.lines[i], c, `non-numeric value ${JSON.stringify(v)} in a numeric column`);
        }
        summaries[c].add(x);
      } else {
        summaries[c].add(v);
      }
    }
  });
  return summaries;
}

function fmt(x: number | null): string {
  if (x === null) return '-';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6)) return x.toExponential(3);
  return x.toFixed(4);
}

function renderTable(result: DatasetDriftResult): string {
  const header = ['column', 'type', 'test', 'statistic', 'p-value', 'threshold', 'drift'];
  const rows = result.columns.map((c) => [
    c.column,
    c.kind,
    c.test,
    fmt(c.statistic),
    fmt(c.pValue),
    `${c.criterion === 'p-value<threshold' ? 'p<' : '>='}${c.threshold}`,
    c.status !== 'ok' ? `n/a (${c.status})` : c.drifted ? 'YES' : 'no',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i >= 3 && i <= 4 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  const notes: string[] = [];
  for (const c of result.columns) {
    if (c.unseenCategories.length) notes.push(`${c.column}: categories not in the reference: ${c.unseenCategories.join(', ')}`);
    if (c.current.missing || c.reference.missing) {
      notes.push(`${c.column}: missing values ignored (reference ${c.reference.missing}, current ${c.current.missing})`);
    }
    if (c.current.overflow || c.reference.overflow) {
      notes.push(`${c.column}: rows of categories beyond the summary's cap compared as one "other" bin (reference ${c.reference.overflow}, current ${c.current.overflow})`);
    }
    if (c.approximate) notes.push(`${c.column}: approximate (quantile sketch or capped categories)`);
  }
  out.push('');
  if (notes.length) out.push(...notes, '');
  out.push(
    `Dataset drift: ${result.datasetDrift ? 'YES' : 'no'} — ${result.numberOfDriftedColumns} of ${result.numberOfTestedColumns} ` +
      `columns drifted (share ${result.shareOfDriftedColumns.toFixed(3)}, threshold ${result.driftShareThreshold})`,
  );
  return out.join('\n') + '\n';
}

export function runDriftCommand(argv: string[], io: CommandIo): number {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: false,
        strict: true,
        options: {
          reference: { type: 'string' },
          current: { type: 'string' },
          json: { type: 'boolean', default: false },
          test: { type: 'string', multiple: true },
          threshold: { type: 'string', multiple: true },
          categorical: { type: 'string', multiple: true },
          numeric: { type: 'string', multiple: true },
          'dataset-threshold': { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const o = parsed.values;
    if (o.help) {
      io.stdout(DRIFT_USAGE);
      return 0;
    }
    if (!o.reference || !o.current) throw new UsageError('--reference and --current are required');
    const numeric = new Set(o.numeric ?? []);
    const categorical = new Set(o.categorical ?? []);
    for (const c of numeric) if (categorical.has(c)) throw new UsageError(`column '${c}' is both --numeric and --categorical`);
    const tests = parsePairs(o.test, '--test');
    const thresholds = parsePairs(o.threshold, '--threshold');
    let driftShareThreshold = DEFAULT_DRIFT_SHARE_THRESHOLD;
    if (o['dataset-threshold'] !== undefined) {
      driftShareThreshold = Number(o['dataset-threshold']);
      if (!(driftShareThreshold >= 0 && driftShareThreshold <= 1)) {
        throw new UsageError(`--dataset-threshold must be a number in [0, 1], got '${o['dataset-threshold']}'`);
      }
    }

    const read = (path: string) => {
      let text: string;
      try {
        text = io.readFile(path);
      } catch (e) {
        throw new TabularInputError(path, null, null, `cannot read: ${(e as Error).message}`);
      }
      return parseTable(path, text);
    };
    const ref = read(o.reference);
    const cur = read(o.current);
    const missing = ref.columns.filter((c) => !cur.columns.includes(c));
    if (missing.length) {
      throw new TabularInputError(cur.file, null, missing[0], `column present in the reference is missing here (${missing.join(', ')})`);
    }
    const extra = cur.columns.filter((c) => !ref.columns.includes(c));
    if (extra.length) io.stderr(`note: columns only in ${cur.file} are ignored: ${extra.join(', ')}\n`);
    for (const c of [...numeric, ...categorical, ...tests.keys(), ...thresholds.keys()]) {
      if (!ref.columns.includes(c)) throw new UsageError(`unknown column '${c}' (columns: ${ref.columns.join(', ')})`);
    }

    const kinds = inferKinds([ref, cur], ref.columns, numeric, categorical);
    const columnOptions: Record<string, ColumnDriftOptions> = {};
    for (const c of ref.columns) {
      const opt: ColumnDriftOptions = {};
      const t = tests.get(c);
      if (t) {
        try {
          getDriftTest(t, kinds[c]);
        } catch (e) {
          throw new UsageError(`--test ${c}=${t}: ${(e as Error).message}`);
        }
        opt.test = t;
      }
      const th = thresholds.get(c);
      if (th !== undefined) {
        const v = Number(th);
        if (!Number.isFinite(v)) throw new UsageError(`--threshold ${c}=${th}: not a number`);
        opt.threshold = v;
      }
      columnOptions[c] = opt;
    }

    const result = computeDatasetDrift(summarise(ref, kinds), summarise(cur, kinds), {
      columns: columnOptions,
      driftShareThreshold,
    });
    if (o.json) {
      const doc = { reference: ref.file, current: cur.file, ...result };
      io.stdout(JSON.stringify(doc, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2) + '\n');
    } else {
      io.stdout(renderTable(result));
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`vigil drift: ${e.message}\n\n${DRIFT_USAGE}`);
      return 2;
    }
    if (e instanceof TabularInputError) {
      io.stderr(`vigil drift: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
