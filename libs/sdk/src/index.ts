export {
  VigilClient,
  KafkaTransport,
  ClientClosedError,
  resolveSchemaIds,
  streamEncoders,
  SDK_STREAMS,
  type SdkStream,
  type VigilClientOptions,
  type EventTransport,
  type OutgoingRecord,
  type StreamEncoders,
} from './client';
export { Batcher, DEFAULT_BATCH_OPTIONS, type BatchOptions } from './batcher';
export { FramedEncoder } from './framing';
export {
  buildPrediction,
  buildLabel,
  buildModelDeployed,
  buildRetrainCompleted,
  type PredictionInput,
  type LabelInput,
  type ModelDeployedInput,
  type RetrainCompletedInput,
  type EventDefaults,
} from './events';
