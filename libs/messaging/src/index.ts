export { createKafka, kafkaSecurityOptions, type KafkaSettings } from './kafka';
export { AvroDecoder, createSchemaRegistry, registerAvroSchema, readSchemaId, LOGICAL_TYPES, type SchemaRegistrySettings } from './schema-registry';
export { ensureTopics, orchestratorLease, registerContracts, type StreamSetup } from './streams';
export { DEAD_LETTER_HEADERS, deadLetterMessage, type RefusedRecord } from './dead-letter';
export { avroBodyProblem, contractReaderType, hasReplacementCharacter, schemaIncompatibilities } from './avro-reading';
export { explainKafkaFailure, explainRegistryFailure } from './connection-failure';
export {
  KAFKA,
  MESSAGING_SETTINGS,
  MessagingModule,
  messagingSettings,
  SCHEMA_REGISTRY,
  verifyKafka,
  verifyRegistry,
  type MessagingOptions,
  type MessagingSettings,
} from './messaging.module';
export { KAFKA_PRINCIPALS, principalAcls, serviceAcls, type AclNames, type KafkaPrincipal } from './acls';
export { KafkaBatchContext, KafkaBatchTransport, PassBatchErrors, startBatchTransport, type BatchConsumerSpec, type BatchTransportState } from './batch-transport';
