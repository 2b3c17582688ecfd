import { Type } from 'avsc';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOGICAL_TYPES } from '@vigil/messaging';
import { Alert, LabelEvent, MetricSnapshot, ModelDeployed, PredictionEvent, RetrainCompleted, RetrainRequested, RollbackRequested, DEPLOYMENT_REASONS, TASKS } from './events';
import { ALERT_KINDS, ALERT_RULES, SEVERITIES } from './alert-rules';
import { EVENT_STREAMS, SchemaName, topicMap } from './topics';
import { loadSchema } from './schemas';
import { validateAlert, validateLabel, validatePrediction, validateSnapshot } from './validation';

const at = new Date('2026-11-27T12:00:00.000Z');
const now = at.getTime();
const evidence = [{ metric: 'accuracy', value: 0.71, threshold: 0.8, baseline: 0.9, feature: null, windowStart: at, windowEnd: at, sampleSize: 500 }];

/** One fully-populated value per contract, typed by the TS interface. */
const samples: Record<SchemaName, object> = {
  'prediction-event': {
    eventId: 'e-1',
    modelId: 'fraud',
    modelVersion: 'v1',
    eventTime: at,
    entityId: 'card-9',
    task: 'CLASSIFICATION',
    numericFeatures: { amount: 12.5, age: null },
    categoricalFeatures: { country: 'FR', channel: null },
    predictedClass: 'fraud',
    scores: { fraud: 0.9, legit: 0.1 },
    predictedValue: null,
    latencyMs: 3.5,
    tags: { country: 'FR' },
  } satisfies PredictionEvent,
  'label-event': {
    eventId: 'l-1',
    predictionEventId: 'e-1',
    modelId: 'fraud',
    eventTime: at,
    trueClass: 'legit',
    trueValue: null,
  } satisfies LabelEvent,
  'model-deployed': {
    eventId: 'd-1',
    modelId: 'fraud',
    version: 'v2',
    deployedAt: at,
    reason: 'retrain',
    incidentId: 'i-1',
    artifactUri: null,
  } satisfies ModelDeployed,
  'retrain-requested': {
    eventId: 'r-1',
    incidentId: 'i-1',
    modelId: 'fraud',
    modelVersion: 'v1',
    requestedAt: at,
    policy: 'accuracy-floor',
    reason: 'accuracy 0.71 < 0.8',
    evidence,
  } satisfies RetrainRequested,
  'retrain-completed': {
    eventId: 'c-1',
    incidentId: 'i-1',
    modelId: 'fraud',
    newVersion: 'v2',
    completedAt: at,
    succeeded: true,
  } satisfies RetrainCompleted,
  'rollback-requested': {
    eventId: 'b-1',
    incidentId: 'i-2',
    modelId: 'fraud',
    fromVersion: 'v3',
    toVersion: 'v2',
    requestedAt: at,
    policy: 'worse-than-previous',
    reason: 'accuracy 0.6 vs 0.9',
    evidence,
  } satisfies RollbackRequested,
  'metric-snapshot': {
    eventId: 's-1',
    modelId: 'fraud',
    modelVersion: 'v1',
    segmentKey: '',
    segmentValue: '',
    windowStart: at,
    windowEnd: at,
    predictionCount: 1000,
    labelledCount: 800,
    metrics: { accuracy: 0.9 },
  } satisfies MetricSnapshot,
  alert: {
    alertId: 'a-1',
    modelId: 'fraud',
    modelVersion: 'v1',
    kind: 'PERFORMANCE',
    severity: 'CRITICAL',
    rule: 'accuracy_below_floor',
    since: at,
    observedAt: at,
    message: 'accuracy 0.71 < 0.8',
    evidence,
  } satisfies Alert,
};

describe('Avro contracts', () => {
  it.each(Object.values(EVENT_STREAMS).map((s) => s.schema))('%s: the TS shape and the .avsc have the same fields', (name) => {
    const schema = loadSchema(name);
    const type = Type.forSchema(schema as never, { logicalTypes: LOGICAL_TYPES });
    const sample = samples[name];
    expect(Object.keys(sample).sort()).toEqual(schema.fields.map((f) => f.name).sort());
    const errors: string[] = [];
    expect(type.isValid(sample, { errorHook: (path) => errors.push(path.join('.')) })).toBe(true);
    expect(errors).toEqual([]);
    expect(type.fromBuffer(type.toBuffer(sample))).toEqual(sample);
  });

  it('takes the alert kinds and severities of the alert-rule table, symbol for symbol', () => {
    const fields = loadSchema('alert').fields;
    const symbols = (name: string) => (fields.find((f) => f.name === name)!.type as { symbols: string[] }).symbols;
    expect(symbols('kind')).toEqual([...ALERT_KINDS]);
    expect(symbols('severity')).toEqual([...SEVERITIES]);
    for (const rule of Object.values(ALERT_RULES)) expect(ALERT_KINDS).toContain(rule.kind);
  });

  it('takes the prediction tasks from TASKS and documents the deployment reasons of DEPLOYMENT_REASONS', () => {
    const field = (schema: SchemaName, name: string) => loadSchema(schema).fields.find((f) => f.name === name)! as { type: unknown; doc?: string };
    expect((field('prediction-event', 'task').type as { symbols: string[] }).symbols).toEqual([...TASKS]);
    expect(field('model-deployed', 'reason').doc).toBe(DEPLOYMENT_REASONS.join(', '));
  });

  it('names every rule of the alert-rule table in the orchestrator doc, whose policies match on them', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'orchestrator.md'), 'utf8');
    const table = doc.slice(doc.indexOf('### Which alerts count'));
    for (const rule of Object.keys(ALERT_RULES)) expect(table).toContain(`\`${rule}\``);
  });

  it('inlines the shared Evidence record once per schema', () => {
    const text = JSON.stringify(loadSchema('rollback-requested'));
    expect(text.match(/"name":"Evidence"/g)).toHaveLength(1);
  });

  it('maps every stream to a prefixed topic', () => {
    expect(topicMap('vigil.')).toEqual({
      predictions: 'vigil.predictions',
      labels: 'vigil.labels',
      modelDeployed: 'vigil.model-deployed',
      retrainRequested: 'vigil.retrain-requested',
      retrainCompleted: 'vigil.retrain-completed',
      rollbackRequested: 'vigil.rollback-requested',
      metricSnapshots: 'vigil.metric-snapshots',
      alerts: 'vigil.alerts',
      deadLetter: 'vigil.dead-letter',
    });
  });
});

describe('domain validation', () => {
  const prediction = samples['prediction-event'] as PredictionEvent;
  const label = samples['label-event'] as LabelEvent;

  it('accepts valid events', () => {
    expect(validatePrediction(prediction, now)).toBe(prediction);
    expect(validateLabel(label, now)).toBe(label);
  });

  it.each([
    [{ modelId: '' }, 'modelId: is required'],
    [{ latencyMs: Number.NaN }, 'latencyMs: must be a finite number, got NaN'],
    [{ latencyMs: -1 }, 'latencyMs: -1 is outside 0 .. 86400000'],
    [{ numericFeatures: { amount: Number.POSITIVE_INFINITY } }, 'numericFeatures.amount: must be a finite number, got Infinity'],
    [{ predictedClass: null }, 'predictedClass: is required'],
    [{ task: 'REGRESSION' as const }, 'predictedValue: must be a finite number, got null'],
    [{ eventTime: new Date('1970-01-01T00:00:00Z') }, 'eventTime: 1970-01-01T00:00:00.000Z is outside 2000-01-01 .. now + 1 day'],
  ])('refuses a prediction with %j', (change, message) => {
    expect(() => validatePrediction({ ...prediction, ...change } as PredictionEvent, now)).toThrow(message);
  });

  it('refuses a label with neither or both truths', () => {
    expect(() => validateLabel({ ...label, trueClass: null }, now)).toThrow('exactly one of trueClass and trueValue');
    expect(() => validateLabel({ ...label, trueValue: 1 }, now)).toThrow('exactly one of trueClass and trueValue');
  });
});

describe('snapshot and alert validation (the orchestrator dead-letters what fails)', () => {
  const snapshot = samples['metric-snapshot'] as MetricSnapshot;
  const alert = samples.alert as Alert;

  it('accepts valid ones', () => {
    expect(validateSnapshot(snapshot)).toBe(snapshot);
    expect(validateAlert(alert)).toBe(alert);
  });

  it.each([
    [{ metrics: { accuracy: Number.NaN } }, 'metrics.accuracy: must be a finite number, got NaN'],
    [{ metrics: { mae: Number.NEGATIVE_INFINITY } }, 'metrics.mae: must be a finite number, got -Infinity'],
    [{ predictionCount: -1 }, 'predictionCount: must be a non-negative integer, got -1'],
    [{ labelledCount: 2.5 }, 'labelledCount: must be a non-negative integer, got 2.5'],
  ])('refuses a snapshot with %j', (change, message) => {
    expect(() => validateSnapshot({ ...snapshot, ...change })).toThrow(message);
  });

  it('refuses an alert with non-finite evidence or a negative sample size', () => {
    const evidence = alert.evidence[0];
    expect(() => validateAlert({ ...alert, evidence: [{ ...evidence, value: Number.NaN }] })).toThrow('evidence[0].value: must be a finite number, got NaN');
    expect(() => validateAlert({ ...alert, evidence: [{ ...evidence, sampleSize: -3 }] })).toThrow('evidence[0].sampleSize: must be a non-negative integer, got -3');
  });
});
