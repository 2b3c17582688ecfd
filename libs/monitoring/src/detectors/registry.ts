import { Adwin, ADWIN_DEFAULTS } from './adwin';
import { ChangeDetector } from './change-detector';
import { Ddm, DDM_DEFAULTS } from './ddm';
import { Eddm, EDDM_DEFAULTS } from './eddm';
import { HddmA, HDDM_A_DEFAULTS } from './hddm-a';
import { HddmW, HDDM_W_DEFAULTS } from './hddm-w';
import { PageHinkley, PAGE_HINKLEY_DEFAULTS } from './page-hinkley';

export type DetectorParamValue = number | boolean | string;
/**
 * The error streams a detector can watch: `binary-error` (1 = wrong, 0 = right: a
 * classifier's misclassifications) or `absolute-error` (|prediction − truth| ≥ 0: a
 * regressor's). Declared per detector like Evidently's `allowed_feature_types`.
 */
export type DetectorInput = 'binary-error' | 'absolute-error';
export type DetectorParams = Record<string, DetectorParamValue>;

export interface DetectorDefinition {
  readonly name: DetectorName;
  /** The error streams its maths holds for (DDM-style detectors model a Bernoulli error rate). */
  readonly allowedInputs: readonly DetectorInput[];
  readonly hasWarning: boolean;
  readonly summary: string;
  /** Parameter names (camelCase) with their River defaults; the type of each default is the accepted type. */
  readonly defaults: Readonly<DetectorParams>;
  /** Accepted values for string parameters. */
  readonly choices?: Readonly<Record<string, readonly string[]>>;
  create(params: DetectorParams): ChangeDetector;
}

export const DETECTOR_NAMES = ['adwin', 'page-hinkley', 'ddm', 'eddm', 'hddm-a', 'hddm-w'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

/** Declared once; the monitor, the CLI and the docs read this table. */
export const DETECTORS: Readonly<Record<DetectorName, DetectorDefinition>> = Object.freeze({
  adwin: {
    name: 'adwin',
    allowedInputs: ['binary-error', 'absolute-error'],
    hasWarning: false,
    summary: 'ADaptive WINdowing (Bifet & Gavaldà 2007)',
    defaults: { ...ADWIN_DEFAULTS },
    create: (p: DetectorParams) => new Adwin(p),
  },
  'page-hinkley': {
    name: 'page-hinkley',
    allowedInputs: ['binary-error', 'absolute-error'],
    hasWarning: false,
    summary: 'Page–Hinkley cumulative-sum test (Page 1954)',
    defaults: { ...PAGE_HINKLEY_DEFAULTS },
    choices: { mode: ['up', 'down', 'both'] },
    create: (p: DetectorParams) => new PageHinkley(p),
  },
  ddm: {
    name: 'ddm',
    allowedInputs: ['binary-error'],
    hasWarning: true,
    summary: 'Drift Detection Method (Gama et al. 2004)',
    defaults: { ...DDM_DEFAULTS },
    create: (p: DetectorParams) => new Ddm(p),
  },
  eddm: {
    name: 'eddm',
    allowedInputs: ['binary-error'],
    hasWarning: true,
    summary: 'Early Drift Detection Method (Baena-García et al. 2006)',
    defaults: { ...EDDM_DEFAULTS },
    create: (p: DetectorParams) => new Eddm(p),
  },
  'hddm-a': {
    name: 'hddm-a',
    allowedInputs: ['binary-error'],
    hasWarning: true,
    summary: "Hoeffding's-bound drift detection, moving-average test (Frías-Blanco et al. 2014)",
    defaults: { ...HDDM_A_DEFAULTS },
    create: (p: DetectorParams) => new HddmA(p),
  },
  'hddm-w': {
    name: 'hddm-w',
    allowedInputs: ['binary-error'],
    hasWarning: true,
    summary: "McDiarmid's-bound drift detection, weighted-moving-average test (Frías-Blanco et al. 2014)",
    defaults: { ...HDDM_W_DEFAULTS },
    create: (p: DetectorParams) => new HddmW(p),
  },
} as Record<DetectorName, DetectorDefinition>);

export class UnknownDetectorError extends Error {
  constructor(readonly detector: string) {
    super(`unknown detector "${detector}"; valid detectors: ${DETECTOR_NAMES.join(', ')}`);
    this.name = 'UnknownDetectorError';
  }
}

export class InvalidDetectorParamError extends Error {
  constructor(
    readonly detector: DetectorName,
    readonly param: string,
    reason: string,
  ) {
    super(`${detector}: ${reason}`);
    this.name = 'InvalidDetectorParamError';
  }
}

export function isDetectorName(name: string): name is DetectorName {
  return (DETECTOR_NAMES as readonly string[]).includes(name);
}

export function detectorDefinition(name: string): DetectorDefinition {
  if (!isDetectorName(name)) throw new UnknownDetectorError(name);
  return DETECTORS[name];
}

/** River spells parameters in snake_case; both `min_window_length` and `minWindowLength` are accepted. */
export function canonicalParamName(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Checks names, types and choices of `params` against the definition and returns them
 * with canonical (camelCase) names. String values are parsed to the default's type, so
 * CLI input (`k=v`) and config files go through the same path.
 */
export function validateDetectorParams(name: DetectorName, params: Readonly<Record<string, unknown>>): DetectorParams {
  const def = DETECTORS[name];
  const valid = Object.keys(def.defaults);
  const out: DetectorParams = {};
  for (const [rawKey, raw] of Object.entries(params)) {
    const key = canonicalParamName(rawKey);
    if (!(key in def.defaults)) {
      throw new InvalidDetectorParamError(name, rawKey, `unknown parameter "${rawKey}"; valid parameters: ${valid.join(', ')}`);
    }
    const expected = typeof def.defaults[key];
    let value: unknown = raw;
    if (expected === 'number' && typeof raw === 'string') {
      value = raw.trim() === '' ? NaN : Number(raw);
    } else if (expected === 'boolean' && typeof raw === 'string') {
      value = raw === 'true' ? true : raw === 'false' ? false : raw;
    }
    if (typeof value !== expected || (typeof value === 'number' && !Number.isFinite(value))) {
      throw new InvalidDetectorParamError(name, rawKey, `parameter "${rawKey}" expects a ${expected === 'number' ? 'finite number' : expected}, got "${String(raw)}"`);
    }
    const choices = def.choices?.[key];
    if (choices && !choices.includes(value as string)) {
      throw new InvalidDetectorParamError(name, rawKey, `parameter "${rawKey}" must be one of ${choices.join(', ')}, got "${String(raw)}"`);
    }
    out[key] = value as DetectorParamValue;
  }
  return out;
}

/** Build a detector by name: `createDetector('adwin', { delta: 0.01 })`. Unset parameters take River's defaults. */
export function createDetector(name: string, params: Readonly<Record<string, unknown>> = {}): ChangeDetector {
  const def = detectorDefinition(name);
  return def.create(validateDetectorParams(def.name, params));
}

/** A detector configuration that cannot run; `field` is where it is wrong (`detector`, `detectorParams`, `detectorParams.<name>`). */
export class DetectorConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'DetectorConfigError';
  }
}

/**
 * Checks a detector configuration once, at the boundary, and returns its canonical
 * parameters: the name is registered, each parameter has the right name and type, the
 * detector accepts them (its own range checks), and it accepts `input` (null while the
 * stream it will watch is not known yet).
 */
export function checkDetectorConfig(name: string, params: Readonly<Record<string, unknown>>, input: DetectorInput | null): DetectorParams {
  if (!isDetectorName(name)) throw new DetectorConfigError('detector', new UnknownDetectorError(name).message);
  const def = DETECTORS[name];
  if (input !== null && !def.allowedInputs.includes(input)) {
    throw new DetectorConfigError('detector', `${name} accepts only ${def.allowedInputs.join(', ')} input, but this model's detector would watch its ${input}`);
  }
  let canonical: DetectorParams;
  try {
    canonical = validateDetectorParams(name, params);
  } catch (error) {
    if (error instanceof InvalidDetectorParamError) throw new DetectorConfigError(`detectorParams.${error.param}`, error.message);
    throw error;
  }
  try {
    def.create(canonical);
  } catch (error) {
    if (error instanceof RangeError) throw new DetectorConfigError('detectorParams', error.message);
    throw error;
  }
  return canonical;
}
