export type * from './events';
export { DEPLOYMENT_REASONS, TASKS } from './events';
export { EVENT_STREAMS, DEAD_LETTER_SUFFIX, topicMap, valueSubject, type EventStream, type SchemaName, type TopicMap } from './topics';
export { loadSchema, type AvroSchema } from './schemas';
export { validatePrediction, validateLabel, validateSnapshot, validateAlert, LIMITS } from './validation';
export {
  ALERT_KINDS,
  ALERT_RULES,
  ALERT_RULE_NAMES,
  SEVERITIES,
  countsTowardRetrain,
  detectorRule,
  isAlertRule,
  severityOf,
  type AlertRule,
  type AlertRuleDefinition,
} from './alert-rules';
