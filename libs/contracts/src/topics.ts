/**
 * The topic map. Every topic is keyed by model id, so one model's events stay in order
 * on one partition and one monitor instance owns each model. The value subject of each
 * topic follows the TopicNameStrategy: `<topic>-value`.
 */
export const EVENT_STREAMS = {
  predictions: { suffix: 'predictions', schema: 'prediction-event' },
  labels: { suffix: 'labels', schema: 'label-event' },
  modelDeployed: { suffix: 'model-deployed', schema: 'model-deployed' },
  retrainRequested: { suffix: 'retrain-requested', schema: 'retrain-requested' },
  retrainCompleted: { suffix: 'retrain-completed', schema: 'retrain-completed' },
  rollbackRequested: { suffix: 'rollback-requested', schema: 'rollback-requested' },
  metricSnapshots: { suffix: 'metric-snapshots', schema: 'metric-snapshot' },
  alerts: { suffix: 'alerts', schema: 'alert' },
} as const;

export type EventStream = keyof typeof EVENT_STREAMS;
export type SchemaName = (typeof EVENT_STREAMS)[EventStream]['schema'];

/** Rejected records, raw bytes plus headers giving the reason; not Avro. */
export const DEAD_LETTER_SUFFIX = 'dead-letter';

export interface TopicMap extends Record<EventStream, string> {
  deadLetter: string;
}

export function topicMap(prefix: string): TopicMap {
  const topics = Object.fromEntries(Object.entries(EVENT_STREAMS).map(([stream, { suffix }]) => [stream, `${prefix}${suffix}`])) as Record<EventStream, string>;
  return { ...topics, deadLetter: `${prefix}${DEAD_LETTER_SUFFIX}` };
}

export function valueSubject(topic: string): string {
  return `${topic}-value`;
}
