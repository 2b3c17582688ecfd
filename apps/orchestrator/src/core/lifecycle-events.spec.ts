import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DECISION_OUTCOMES } from './lifecycle-events';

describe('decision outcomes', () => {
  it('are each documented in docs/orchestrator.md, which lists no other', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'orchestrator.md'), 'utf8');
    const paragraph = doc.slice(doc.indexOf('Audit outcomes:'), doc.indexOf('## Exactly one request per incident'));
    const documented = [...paragraph.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
    expect(documented).toEqual([...DECISION_OUTCOMES]);
  });
});
