import { parseArgs } from 'node:util';
import { createDetector, DETECTOR_NAMES, DETECTORS, detectorDefinition, InvalidDetectorParamError, UnknownDetectorError, validateDetectorParams } from '@vigil/monitoring';

export interface DetectCommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readFile: (path: string) => string;
  readStdin: () => string;
}

export const DETECT_USAGE = `Usage: vigil detect --detector <name> [--param k=v ...] [--input stream.txt] [--json]

Replays one value per line (stdin by default) through an online change detector and prints
the 0-based indices (counting values; blank lines are skipped) where it signalled a warning
and a drift.

Detectors:
${DETECTOR_NAMES.map((n) => {
  const d = DETECTORS[n];
  const params = Object.entries(d.defaults)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return `  ${n.padEnd(13)}${d.summary}${d.allowedInputs.includes('absolute-error') ? '' : ' [input: 1 = error, 0 = correct]'}\n  ${''.padEnd(13)}defaults: ${params}`;
}).join('\n')}

Parameter names may be camelCase or River's snake_case (min_window_length).
Exit codes: 0 ok, 2 usage or input error.`;

const USAGE_ERROR = 2;

/** `vigil detect`: returns the process exit code. */
export function runDetectCommand(argv: string[], io: DetectCommandIo): number {
  const fail = (message: string): number => {
    io.stderr(`vigil detect: ${message}\n`);
    return USAGE_ERROR;
  };

  let values: ReturnType<
    typeof parseArgs<{
      options: {
        detector: { type: 'string'; short: 'd' };
        param: { type: 'string'; short: 'p'; multiple: true };
        input: { type: 'string'; short: 'i' };
        json: { type: 'boolean' };
        help: { type: 'boolean'; short: 'h' };
      };
    }>
  >['values'];
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        detector: { type: 'string', short: 'd' },
        param: { type: 'string', short: 'p', multiple: true },
        input: { type: 'string', short: 'i' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return fail(`${(err as Error).message}\n\n${DETECT_USAGE}`);
  }

  if (values.help) {
    io.stdout(`${DETECT_USAGE}\n`);
    return 0;
  }
  if (values.detector === undefined) {
    return fail(`missing --detector; valid detectors: ${DETECTOR_NAMES.join(', ')}`);
  }

  let params: Record<string, unknown>;
  let detector;
  try {
    const def = detectorDefinition(values.detector);
    const raw: Record<string, string> = {};
    for (const p of values.param ?? []) {
      const eq = p.indexOf('=');
      if (eq <= 0) return fail(`--param expects k=v, got "${p}"`);
      raw[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
    }
    params = validateDetectorParams(def.name, raw);
    detector = createDetector(def.name, params);
  } catch (err) {
    if (err instanceof UnknownDetectorError || err instanceof InvalidDetectorParamError || err instanceof RangeError) {
      return fail(err.message);
    }
    throw err;
  }

  let text: string;
  const source = values.input ?? '<stdin>';
  try {
    text = values.input === undefined ? io.readStdin() : io.readFile(values.input);
  } catch (err) {
    return fail(`cannot read ${source}: ${(err as Error).message}`);
  }

  const stream: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const x = Number(line);
    if (!Number.isFinite(x)) return fail(`${source}, line ${i + 1}: "${line}" is not a number`);
    stream.push(x);
  }
  if (stream.length === 0) return fail(`${source} is empty: expected one number per line`);

  const def = DETECTORS[values.detector as keyof typeof DETECTORS];
  if (!def.allowedInputs.includes('absolute-error') && stream.some((x) => x !== 0 && x !== 1)) {
    io.stderr(`vigil detect: warning: ${def.name} expects 0/1 errors (1 = wrong prediction); other values are used as-is\n`);
  }

  const warnings: number[] = [];
  const drifts: number[] = [];
  for (let i = 0; i < stream.length; i++) {
    detector.update(stream[i]);
    if (detector.warningDetected) warnings.push(i);
    if (detector.driftDetected) drifts.push(i);
  }

  const effective = { ...def.defaults, ...params };
  if (values.json) {
    io.stdout(`${JSON.stringify({ detector: def.name, params: effective, count: stream.length, warnings, drifts })}\n`);
  } else {
    const list = (xs: number[]) => (xs.length === 0 ? '(none)' : xs.join(' '));
    const paramText = Object.entries(effective)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    io.stdout(
      `detector: ${def.name} (${paramText})\n` +
        `values:   ${stream.length}\n` +
        (def.hasWarning ? `warnings: ${list(warnings)}\n` : `warnings: (this detector has no warning zone)\n`) +
        `drifts:   ${list(drifts)}\n`,
    );
  }
  return 0;
}
