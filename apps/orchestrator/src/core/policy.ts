import { ALERT_KINDS, ALERT_RULE_NAMES } from '@vigil/contracts';
import { describeZodIssues } from '@vigil/common';
import { z } from 'zod';

const seconds = z.number().min(0);
const count = z.number().int().min(1);
const rate = z.number().min(0).max(1);

const performanceSchema = z.strictObject({
  /** Alert kinds that count as "the model performs badly". */
  kinds: z.array(z.enum(ALERT_KINDS)),
  /** Alert rules (of the ALERT_RULES table) that count; empty = every rule of those kinds. */
  rules: z.array(z.enum(ALERT_RULE_NAMES)),
  /**
   * N consecutive observations open an incident… An observation is an alert at or above
   * its rule's `retrainFrom` severity in ALERT_RULES (CRITICAL for performance rules;
   * any detection of a DETECTOR rule) or a snapshot below `accuracyFloor`.
   */
  consecutiveCritical: count,
  /** …or a CRITICAL condition held this long (alert.since → latest observedAt)… */
  sustainedSeconds: seconds,
  /** …but never on fewer observations than this. */
  minEvidence: count,
  /** Snapshots with accuracy below this count as CRITICAL observations; null = snapshots do not. */
  accuracyFloor: rate.nullable(),
  /** Snapshots with fewer labelled predictions are "insufficient evidence". */
  minSampleSize: z.number().int().min(0),
});

const driftSchema = z.strictObject({
  /**
   * Features whose CRITICAL drift alerts count (`dataset_drift` escalates to CRITICAL
   * from the second alert of an episode); empty = drift never triggers a retrain.
   */
  importantFeatures: z.array(z.string()),
  consecutiveCritical: count,
});

const retrainFields = {
  enabled: z.boolean(),
  /** At least this long between two retrain requests of the model. */
  cooldownSeconds: seconds,
  /** At most this many retrain requests in any 24 hours. */
  maxPerDay: z.number().int().min(0),
};

const hysteresisSchema = z.strictObject({
  /** A snapshot is healthy only at accuracy ≥ floor + margin (between: neither). */
  margin: rate,
  /** This many consecutive healthy snapshots clear a streak of CRITICAL observations. */
  healthyToClear: count,
  /** A streak with no new CRITICAL observation for this long starts over. */
  streakExpirySeconds: seconds,
});

const rollbackSchema = z.strictObject({
  enabled: z.boolean(),
  /** A deployment is on probation this long after deployedAt. */
  probationSeconds: seconds,
  metric: z.literal('accuracy'),
  /** Labelled predictions required on each side before comparing. */
  minSampleSize: z.number().int().min(1),
  /** Minimum absolute accuracy drop (previous − new) worth a rollback. */
  margin: rate,
  /** One-sided significance level of the two-proportion z-test. */
  alpha: z.number().gt(0).lt(1),
  /** How many of the previous version's last whole-version snapshots form its baseline. */
  baselineSnapshots: count,
});

/**
 * What the orchestrator does about one model. Documented field by field in
 * docs/orchestrator.md; config/policies.example.json shows every key.
 */
const lifecyclePolicySchema = z.strictObject({
  retrain: z.strictObject({ ...retrainFields, performance: performanceSchema, drift: driftSchema }),
  hysteresis: hysteresisSchema,
  rollback: rollbackSchema,
});
export type LifecyclePolicy = z.infer<typeof lifecyclePolicySchema>;

/** The same keys, every one optional: a file or an API call overrides only what it names. */
export const policyOverrideSchema = z
  .strictObject({
    retrain: z.strictObject({ ...retrainFields, performance: performanceSchema.partial(), drift: driftSchema.partial() }).partial(),
    hysteresis: hysteresisSchema.partial(),
    rollback: rollbackSchema.partial(),
  })
  .partial();
export type PolicyOverride = z.infer<typeof policyOverrideSchema>;

/** The policy file: defaults for every model, then per-model overrides. */
const policyFileSchema = z.strictObject({
  $comment: z.unknown().optional(),
  defaults: policyOverrideSchema.optional(),
  models: z.record(z.string(), policyOverrideSchema).optional(),
});
export type PolicyFile = Omit<z.infer<typeof policyFileSchema>, '$comment'>;

/** The policy of every model before the file and the API override it; checked against the schema once, at load. */
export const BUILTIN_POLICY: LifecyclePolicy = lifecyclePolicySchema.parse({
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
});

export function parsePolicyFile(input: unknown, where: string): PolicyFile {
  const result = policyFileSchema.safeParse(input);
  if (!result.success) throw new RangeError(`invalid policy file ${where}: ${describeZodIssues(result.error.issues)}`);
  const { defaults, models } = result.data;
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
