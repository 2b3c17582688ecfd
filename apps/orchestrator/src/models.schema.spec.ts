import { describeZodIssues } from '@vigil/common';
import { championAtQuerySchema, decisionsLimitQuerySchema, deploymentBodySchema } from './models.schema';

describe('HTTP request schemas of the model registry', () => {
  it('fills a deployment body with the documented defaults (docs/orchestrator.md "HTTP API")', () => {
    expect(deploymentBodySchema.parse({ version: 'v2', deployedAt: '2026-02-03T12:00:00Z' })).toEqual({
      version: 'v2',
      deployedAt: new Date('2026-02-03T12:00:00Z'),
      reason: 'manual',
      incidentId: null,
      artifactUri: null,
    });
  });

  it('refuses a deployment without a version, with an unknown reason or a bad date, naming each field', () => {
    const result = deploymentBodySchema.safeParse({ reason: 'whim', deployedAt: 'not-a-date' });
    expect(describeZodIssues(result.error!.issues)).toBe(
      '"version" is required. "deployedAt" must be in ISO 8601 date format. "reason" must be one of [initial, retrain, rollback, manual]',
    );
  });

  it('reads ?at= as epoch milliseconds and ?limit= as an integer from 1 to 10 000 (default 100)', () => {
    // 1 780 000 000 000 ms = 2026-05-28T20:26:40Z.
    expect(championAtQuerySchema.parse('2026-05-28T20:26:40Z')).toBe(1_780_000_000_000);
    expect(championAtQuerySchema.parse(undefined)).toBeUndefined();
    expect(decisionsLimitQuerySchema.parse(undefined)).toBe(100);
    expect(decisionsLimitQuerySchema.safeParse('10001').success).toBe(false);
    expect(decisionsLimitQuerySchema.safeParse('2.5').success).toBe(false);
  });
});
