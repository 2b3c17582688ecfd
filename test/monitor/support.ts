import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Alert, LabelEvent, PredictionEvent, TopicMap, valueSubject } from '@vigil/contracts';
import { Consumer, Kafka, Producer } from 'kafkajs';
import { labelEvent, predictionEvent, regressionEvent } from '../support/events';
import { freePort, REPO, ServiceProcess, serviceEnv } from '../support/service-process';
export { mulberry32 as prng } from '@vigil/monitoring';

export { freePort, REPO };

/** Event times start a day ago so every event passes the contract's clock-skew rule. */
export const T0 = Date.now() - 86_400_000;

export interface LabelledEvent {
  prediction: PredictionEvent;
  label: LabelEvent;
}

/**
 * Event i of a model: amount ~ U(0,100), channel web (30 %) / app, truth yes/no at 50 %,
 * the model right with probability `accuracy`; event time T0 + i s, label 1 s later.
 */
export function stream(modelId: string, rand: () => number, from: number, count: number, accuracy: number): LabelledEvent[] {
  const out: LabelledEvent[] = [];
  for (let i = from; i < from + count; i++) {
    const truth = rand() < 0.5 ? 'yes' : 'no';
    const right = rand() < accuracy;
    out.push(event(modelId, i, right ? truth : truth === 'yes' ? 'no' : 'yes', truth, rand() * 100, rand() < 0.3 ? 'web' : 'app'));
  }
  return out;
}

/** Ids and times of event i of a model: prediction at T0 + i s, its label 1 s later. */
function idsAndTimes(modelId: string, i: number) {
  const time = T0 + i * 1000;
  return {
    prediction: { eventId: `${modelId}-p${i}`, modelId, eventTime: new Date(time) },
    label: { eventId: `${modelId}-l${i}`, predictionEventId: `${modelId}-p${i}`, modelId, eventTime: new Date(time + 1000) },
  };
}

export function event(modelId: string, i: number, predicted: string, truth: string, amount = 50, channel = 'app'): LabelledEvent {
  const at = idsAndTimes(modelId, i);
  return {
    prediction: predictionEvent(i, { ...at.prediction, numericFeatures: { amount }, categoricalFeatures: { channel }, predictedClass: predicted, latencyMs: 5 + (i % 10) }),
    label: labelEvent(i, { ...at.label, trueClass: truth }),
  };
}

/** Event i of a regression model: predicts `predictedValue`; its label says `trueValue`. */
export function regression(modelId: string, i: number, predictedValue: number, trueValue: number | null = null): LabelledEvent {
  const at = idsAndTimes(modelId, i);
  return {
    prediction: regressionEvent(i, predictedValue, { ...at.prediction, numericFeatures: { amount: 50 }, categoricalFeatures: { channel: 'app' }, latencyMs: 5 + (i % 10) }),
    label: labelEvent(i, { ...at.label, trueClass: null, trueValue }),
  };
}

/** Produces the predictions, then the labels, keyed by model id, in chunks. */
export function send(producer: Producer, registry: SchemaRegistry, topics: TopicMap, events: LabelledEvent[], withLabels = true): Promise<void> {
  return produce(producer, registry, topics, events, { predictions: true, labels: withLabels });
}

/** Produces only the labels of events whose predictions were sent before (labels that come late). */
export function sendLabels(producer: Producer, registry: SchemaRegistry, topics: TopicMap, events: LabelledEvent[]): Promise<void> {
  return produce(producer, registry, topics, events, { predictions: false, labels: true });
}

async function produce(producer: Producer, registry: SchemaRegistry, topics: TopicMap, events: LabelledEvent[], parts: { predictions: boolean; labels: boolean }): Promise<void> {
  const predictionId = await registry.getLatestSchemaId(valueSubject(topics.predictions));
  const labelId = await registry.getLatestSchemaId(valueSubject(topics.labels));
  for (let start = 0; start < events.length; start += 1000) {
    const chunk = events.slice(start, start + 1000);
    if (parts.predictions) {
      const predictions = await Promise.all(chunk.map(async (e) => ({ key: e.prediction.modelId, value: await registry.encode(predictionId, e.prediction) })));
      await producer.send({ topic: topics.predictions, acks: -1, messages: predictions });
    }
    if (!parts.labels) continue;
    const labels = await Promise.all(chunk.map(async (e) => ({ key: e.label.modelId, value: await registry.encode(labelId, e.label) })));
    await producer.send({ topic: topics.labels, acks: -1, messages: labels });
  }
}

/** Collects every alert published on the alerts topic. */
export async function collectAlerts(kafka: Kafka, registry: SchemaRegistry, topics: TopicMap, groupId: string): Promise<{ consumer: Consumer; alerts: Alert[] }> {
  const alerts: Alert[] = [];
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.alerts], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      alerts.push((await registry.decode(message.value!)) as Alert);
    },
  });
  return { consumer, alerts };
}

export const monitorEnv = serviceEnv;

/** The monitor as a real child process, so a test can SIGKILL it. */
export class MonitorProcess extends ServiceProcess {
  constructor(env: Record<string, string>, port: number) {
    super('monitor', env, port);
  }
}
