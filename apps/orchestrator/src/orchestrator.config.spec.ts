import { join } from 'node:path';
import { BUILTIN_POLICY, parsePolicyFile, resolvePolicy } from './core';
import { loadOrchestratorConfig, loadPolicyFile, loadWebhookConfig } from './orchestrator.config';

describe('policy file', () => {
  const file = loadPolicyFile(join(__dirname, '../../../config/policies.example.json'));

  it('loads the documented example and layers it key by key', () => {
    const fraud = resolvePolicy('fraud-detector', file, undefined);
    expect(fraud.name).toBe('builtin+file:defaults+file:fraud-detector');
    expect(fraud.policy.retrain.performance).toEqual({ ...BUILTIN_POLICY.retrain.performance, kinds: ['PERFORMANCE', 'DETECTOR'], accuracyFloor: 0.85, consecutiveCritical: 4 });
    expect(fraud.policy.retrain.maxPerDay).toBe(1);
    expect(fraud.policy.rollback).toEqual({ ...BUILTIN_POLICY.rollback, probationSeconds: 43200, margin: 0.02 });
    // An API override wins over the file, again key by key.
    const api = resolvePolicy('fraud-detector', file, { retrain: { maxPerDay: 5 } });
    expect(api.name).toBe('builtin+file:defaults+file:fraud-detector+api:fraud-detector');
    expect(api.policy.retrain.maxPerDay).toBe(5);
    expect(api.policy.retrain.performance.accuracyFloor).toBe(0.85);
    expect(resolvePolicy('other', file, undefined).policy).toEqual(BUILTIN_POLICY);
  });

  it('names the offending key of an invalid file', () => {
    expect(() => loadPolicyFile('/nonexistent/policies.json')).toThrow(/cannot read the policy file/);
    expect(() => parsePolicyFile({ defaults: { rollback: { alpha: 2 } } }, 'x.json')).toThrow(/"defaults.rollback.alpha" must be less than 1/);
    expect(() => parsePolicyFile({ models: { m: { retrain: { cooldown: 1 } } } }, 'x.json')).toThrow(/"models.m.retrain.cooldown" is not allowed/);
  });
});

describe('webhook configuration', () => {
  const base = { ORCHESTRATOR_WEBHOOK_RETRIES: 6, ORCHESTRATOR_WEBHOOK_RETRY_INITIAL_MS: 1000, ORCHESTRATOR_WEBHOOK_RETRY_MAX_MS: 60000, ORCHESTRATOR_WEBHOOK_TIMEOUT_MS: 10000 };

  it('is off without URLs, and refuses URLs without a secret file or with a non-http URL', () => {
    expect(loadWebhookConfig({ ...base, ORCHESTRATOR_WEBHOOK_URLS: '', ORCHESTRATOR_WEBHOOK_SECRET_FILE: '' }).urls).toEqual([]);
    expect(() => loadWebhookConfig({ ...base, ORCHESTRATOR_WEBHOOK_URLS: 'http://h/hook', ORCHESTRATOR_WEBHOOK_SECRET_FILE: '' })).toThrow(
      'ORCHESTRATOR_WEBHOOK_SECRET_FILE is required',
    );
    expect(() => loadWebhookConfig({ ...base, ORCHESTRATOR_WEBHOOK_URLS: 'ftp://h/hook', ORCHESTRATOR_WEBHOOK_SECRET_FILE: '/x' })).toThrow('not an http(s) URL: ftp://h/hook');
    expect(() => loadWebhookConfig({ ...base, ORCHESTRATOR_WEBHOOK_URLS: 'http://h/hook', ORCHESTRATOR_WEBHOOK_SECRET_FILE: '/nonexistent/secret' })).toThrow(
      'cannot read ORCHESTRATOR_WEBHOOK_SECRET_FILE=/nonexistent/secret: ENOENT',
    );
  });
});

describe('orchestrator environment', () => {
  it('reads the documented defaults (docs/orchestrator.md) and refuses a retry ceiling below its start', () => {
    const config = loadOrchestratorConfig({});
    expect(config).toMatchObject({ httpPort: 3003, groupId: 'vigil-orchestrator', sessionTimeoutMs: 30_000, partitionsConcurrency: 6, policiesPath: '', policies: {} });
    expect(config.webhooks).toEqual({ urls: [], secret: '', retry: { maxRetries: 6, initialDelayMs: 1_000, maxDelayMs: 60_000 }, timeoutMs: 10_000 });
    expect(() => loadOrchestratorConfig({ ORCHESTRATOR_WEBHOOK_RETRY_INITIAL_MS: '5000', ORCHESTRATOR_WEBHOOK_RETRY_MAX_MS: '1000' })).toThrow(
      'invalid orchestrator configuration: "ORCHESTRATOR_WEBHOOK_RETRY_MAX_MS" must be greater than or equal to ORCHESTRATOR_WEBHOOK_RETRY_INITIAL_MS',
    );
  });

  it('reads ORCHESTRATOR_PARTITIONS_CONCURRENCY and refuses less than one partition at a time', () => {
    expect(loadOrchestratorConfig({ ORCHESTRATOR_PARTITIONS_CONCURRENCY: '1' }).partitionsConcurrency).toBe(1);
    expect(() => loadOrchestratorConfig({ ORCHESTRATOR_PARTITIONS_CONCURRENCY: '0' })).toThrow(/ORCHESTRATOR_PARTITIONS_CONCURRENCY/);
  });
});
