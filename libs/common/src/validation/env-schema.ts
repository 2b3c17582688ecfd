import { z } from 'zod';
import { describeZodIssues } from './zod-issues';

/**
 * Building blocks of environment schemas: every variable arrives as a string (or is
 * absent, and then takes its default), so numbers and booleans are read from text here,
 * once, for every service.
 */
export const env = {
  /** An integer variable; `min`/`max` inclusive. */
  int(defaultValue: number, bounds: { min?: number; max?: number } = {}) {
    let schema = z.coerce.number().int();
    if (bounds.min !== undefined) schema = schema.min(bounds.min);
    if (bounds.max !== undefined) schema = schema.max(bounds.max);
    return schema.default(defaultValue);
  },
  port(defaultValue: number) {
    return z.coerce.number().int().min(0).max(65_535).default(defaultValue);
  },
  /** `true` or `false` (any case), as Joi read them before. */
  bool(defaultValue: boolean) {
    return z.stringbool({ truthy: ['true'], falsy: ['false'] }).default(defaultValue);
  },
  /** A non-empty string. */
  text(defaultValue: string) {
    return z.string().min(1).default(defaultValue);
  },
  /** A string that may be empty (empty = the feature is off). */
  optionalText() {
    return z.string().default('');
  },
  url(defaultValue: string) {
    return z.url().default(defaultValue);
  },
  /** A URL, or empty for "off". */
  optionalUrl() {
    return z
      .string()
      .refine((text) => text === '' || z.url().safeParse(text).success, { message: 'must be a valid uri' })
      .default('');
  },
  /** One of `values`. */
  oneOf<const T extends readonly [string, ...string[]]>(values: T, defaultValue: T[number]) {
    return z.enum(values).default(defaultValue);
  },
  /** One of `values`, or empty for "not set" (Joi's messages listed '' last, so do these). */
  oneOfOrEmpty<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum([...values, ''] as [T[number] | '', ...(T[number] | '')[]]).default('');
  },
};

/** Reads `environment` through `schema`; unknown variables are ignored; a problem throws `"<what>: <every issue>"`. */
export function parseEnv<S extends z.ZodType>(schema: S, environment: NodeJS.ProcessEnv, what: string): z.output<S> {
  const result = schema.safeParse(environment);
  if (!result.success) throw new Error(`${what}: ${describeZodIssues(result.error.issues)}`);
  return result.data;
}
