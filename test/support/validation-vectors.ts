/**
 * Reader of schemas/validation-vectors.json, the validation rules' test vectors shared with
 * the Python SDK (sdks/python/tests/test_validation_vectors.py reads the same file).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type VectorKind = 'prediction' | 'label' | 'modelDeployed' | 'retrainCompleted';

export interface ValidationVector {
  kind: VectorKind;
  stage: 'domain' | 'schema';
  name: string;
  /** The base event of its kind with `change` merged in. */
  event: Record<string, unknown>;
  /** The expected message, or null when the event is valid. */
  error: string | null;
}

interface VectorFile {
  now: unknown;
  base: Record<VectorKind, Record<string, unknown>>;
  vectors: { kind: VectorKind; stage: 'domain' | 'schema'; name: string; change: Record<string, unknown>; error: string | null }[];
}

/** The tagged values of the file's `encoding` section as JavaScript values. */
function decode(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(decode);
  if (node === null || typeof node !== 'object') return node;
  const tagged = node as Record<string, unknown>;
  if ('$date' in tagged) return new Date(tagged.$date as string);
  if ('$float' in tagged) return Number(tagged.$float);
  if ('$repeat' in tagged) {
    const [text, n] = tagged.$repeat as [string, number];
    return text.repeat(n);
  }
  if ('$map' in tagged) {
    const { count, prefix, value } = tagged.$map as { count: number; prefix: string; value: unknown };
    return Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, value]));
  }
  return Object.fromEntries(Object.entries(tagged).map(([key, value]) => [key, decode(value)]));
}

export function loadValidationVectors(): { now: Date; vectors: ValidationVector[] } {
  const file = JSON.parse(readFileSync(join(__dirname, '..', '..', 'schemas', 'validation-vectors.json'), 'utf8')) as VectorFile;
  const base = decode(file.base) as VectorFile['base'];
  return {
    now: decode(file.now) as Date,
    vectors: file.vectors.map(({ kind, stage, name, change, error }) => ({
      kind,
      stage,
      name,
      event: { ...base[kind], ...(decode(change) as Record<string, unknown>) },
      error,
    })),
  };
}
