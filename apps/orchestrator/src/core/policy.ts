import type { AlertKind } from '@vigil/contracts';
import { ALERT_KINDS, ALERT_RULE_NAMES } from '@vigil/contracts';
import Joi from 'joi';

/**
 * What the orchestrator does about one model. Documented field by field in
 * docs/orchestrator.md; config/policies.example.json shows every key.
 */
export interface LifecyclePolicy {
  retrain: {
    enabled: boolean;
    performance: {
      /** Alert kinds that count as "the model performs badly". */
      kinds: AlertKind[];
      /** Alert rules (of the ALERT_RULES table) that count; empty = every rule of those kinds. */
      rules: string[];
      /**
       * N consecutive observations open an incident… An observation is an alert at or above
       * its rule's `retrainFrom` severity in ALERT_RULES (CRITICAL for performance rules;
       * any detection of a DETECTOR rule) or a snapshot below `accuracyFloor`.
       */
      consecutiveCritical: number;
      /** …or a CRITICAL condition held this long (alert.since → latest observedAt)… */
      sustainedSeconds: number;
      /** …but never on fewer observations than this. */
      minEvidence: number;
      /** Snapshots with accuracy below this count as CRITICAL observations; null = snapshots do not. */
      accuracyFloor: number | null;
      /** Snapshots with fewer labelled predictions are "insufficient evidence". */
      minSampleSize: number;
    };
    drift: {
      /**
       * Features whose CRITICAL drift alerts count (`dataset_drift` escalates to CRITICAL
       * from the second alert of an episode); empty = drift never triggers a retrain.
       */
      importantFeatures: string[];
      consecutiveCritical: number;
    };
    /** At least this long between two retrain requests of the model. */
    cooldownSeconds: number;
    /** At most this many retrain requests in any 24 hours. */
    maxPerDay: number;
  };
  hysteresis: {
    /** A snapshot is healthy only at accuracy ≥ floor + margin (between: neither). */
    margin: number;
    /** This many consecutive healthy snapshots clear a streak of CRITICAL observations. */
    healthyToClear: number;
    /** A streak with no new CRITICAL observation for this long starts over. */
    streakExpirySeconds: number;
  };
  rollback: {
    enabled: boolean;
    /** A deployment is on probation this long after deployedAt. */
    probationSeconds: number;
    metric: 'accuracy';
    /** Labelled predictions required on each side before comparing. */
    minSampleSize: number;
    /** Minimum absolute accuracy drop (previous − new) worth a rollback. */
    margin: number;
    /** One-sided significance level of the two-proportion z-test. */
    alpha: number;
    /** How many of the previous version's last whole-version snapshots form its baseline. */
    baselineSnapshots: number;
  };
}

export const BUILTIN_POLICY: LifecyclePolicy = {
  retrain: {
    enabled: true,
    performance: {
      kinds: ['PERFORMANCE'],
      rules: [],
      consecutiveCritical: 3,
      sustainedSeconds: 1800,
      minEvidence: 2,
      accuracyFloor: null,
      minSampleSize: 100,
    },
    drift: { importantFeatures: [], consecutiveCritical: 2 },
    cooldownSeconds: 6 * 3600,
    maxPerDay: 2,
  },
  hysteresis: { margin: 0.02, healthyToClear: 2, streakExpirySeconds: 6 * 3600 },
  rollback: {
    enabled: true,
    probationSeconds: 24 * 3600,
    metric: 'accuracy',
    minSampleSize: 200,
    margin: 0.03,
    alpha: 0.01,
    baselineSnapshots: 6,
  },
};

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object | null ? DeepPartial<T[K]> : T[K] };
export type PolicyOverride = DeepPartial<LifecyclePolicy>;

const seconds = Joi.number().min(0);
const count = Joi.number().integer().min(1);
const rate = Joi.number().min(0).max(1);

/** Every key optional: a file or an API call overrides only what it names. */
export const policyOverrideSchema = Joi.object({
  retrain: Joi.object({
    enabled: Joi.boolean(),
    performance: Joi.object({
      kinds: Joi.array().items(Joi.string().valid(...ALERT_KINDS)),
      rules: Joi.array().items(Joi.string().valid(...ALERT_RULE_NAMES)),
      consecutiveCritical: count,
      sustainedSeconds: seconds,
      minEvidence: count,
      accuracyFloor: rate.allow(null),
      minSampleSize: Joi.number().integer().min(0),
    }),
    drift: Joi.object({ importantFeatures: Joi.array().items(Joi.string()), consecutiveCritical: count }),
    cooldownSeconds: seconds,
    maxPerDay: Joi.number().integer().min(0),
  }),
  hysteresis: Joi.object({ margin: rate, healthyToClear: count, streakExpirySeconds: seconds }),
  rollback: Joi.object({
    enabled: Joi.boolean(),
    probationSeconds: seconds,
    metric: Joi.string().valid('accuracy'),
    minSampleSize: Joi.number().integer().min(1),
    margin: rate,
    alpha: Joi.number().greater(0).less(1),
    baselineSnapshots: count,
  }),
}).unknown(false);

/** The policy file: defaults for every model, then per-model overrides. */
export interface PolicyFile {
  defaults?: PolicyOverride;
  models?: Record<string, PolicyOverride>;
}

export const policyFileSchema = Joi.object({
  $comment: Joi.any(),
  defaults: policyOverrideSchema,
  models: Joi.object().pattern(Joi.string(), policyOverrideSchema),
}).unknown(false);

export function parsePolicyOverride(input: unknown, where: string): PolicyOverride {
  const { error, value } = policyOverrideSchema.validate(input, { abortEarly: false });
  if (error) throw new RangeError(`invalid policy in ${where}: ${error.message}`);
  return value as PolicyOverride;
}

export function parsePolicyFile(input: unknown, where: string): PolicyFile {
  const { error, value } = policyFileSchema.validate(input, { abortEarly: false });
  if (error) throw new RangeError(`invalid policy file ${where}: ${error.message}`);
  const { defaults, models } = value as PolicyFile;
  return { defaults, models };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge<T>(base: T, override: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(override)) return (override === undefined ? base : override) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value !== undefined) out[key] = merge(out[key], value);
  }
  return out as T;
}

export interface ResolvedPolicy {
  /** Names where the policy came from, e.g. "builtin+file:defaults+file:fraud+api:fraud"; carried by requests. */
  name: string;
  policy: LifecyclePolicy;
}

/** builtin ← file defaults ← file per model ← API per model (later wins, key by key). */
export function resolvePolicy(modelId: string, file: PolicyFile, apiOverride: PolicyOverride | undefined): ResolvedPolicy {
  const layers: [string, PolicyOverride | undefined][] = [
    ['file:defaults', file.defaults],
    [`file:${modelId}`, file.models?.[modelId]],
    [`api:${modelId}`, apiOverride],
  ];
  let policy = BUILTIN_POLICY;
  const names = ['builtin'];
  for (const [name, layer] of layers) {
    if (!layer) continue;
    policy = merge(policy, layer);
    names.push(name);
  }
  return { name: names.join('+'), policy };
}
