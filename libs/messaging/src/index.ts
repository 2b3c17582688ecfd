export { createKafka, type KafkaSettings } from './kafka';
export {
  AvroDecoder,
  createSchemaRegistry,
  registerAvroSchema,
  readSchemaId,
  LOGICAL_TYPES,
  type SchemaRegistrySettings,
} from './schema-registry';
export { ensureTopics, registerContracts, type StreamSetup } from './streams';
export { DEAD_LETTER_HEADERS, deadLetterMessage, type RefusedRecord } from './dead-letter';
export { avroBodyProblem, contractReaderType, schemaIncompatibilities } from './avro-reading';
