import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SchemaName } from './topics';

export type AvroSchema = { name: string; fields: { name: string; type: unknown }[] } & Record<string, unknown>;

const EVIDENCE = 'dev.vigil.events.Evidence';

function schemasDir(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'schemas', 'prediction-event.avsc'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`schemas/ not found above ${__dirname}`);
    dir = parent;
  }
  return join(dir, 'schemas');
}

function readAvsc(name: string): AvroSchema {
  return JSON.parse(readFileSync(join(schemasDir(), `${name}.avsc`), 'utf8')) as AvroSchema;
}

/**
 * The schema as registered: the shared Evidence record is defined inline at its first
 * use, so each subject is self-contained (no registry references needed).
 */
export function loadSchema(name: SchemaName): AvroSchema {
  const schema = readAvsc(name);
  let inlined = false;
  const inline = (node: unknown): unknown => {
    if (node === EVIDENCE && !inlined) {
      inlined = true;
      return readAvsc('evidence');
    }
    if (Array.isArray(node)) return node.map(inline);
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v)]));
    }
    return node;
  };
  return inline(schema) as AvroSchema;
}
