import { EventStream, TopicMap } from '@vigil/contracts';
import { orchestratorLease } from './streams';
import { AclEntry, AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';

/**
 * Who may do what on a secured broker: one principal per service, each with the topics
 * it reads and writes, its consumer group and its transactional id, and nothing else
 * (docs/security.md renders this table). The local stack applies it for the default
 * names; the ACL tests apply it for their own topics and groups.
 */
type Topic = EventStream | 'deadLetter';

interface PrincipalGrant {
  reads: readonly Topic[];
  writes: readonly Topic[];
  /** Creates the topics of the map it is started with (ensureTopics). */
  createsTopics: boolean;
  group?: 'ingestor' | 'monitor' | 'orchestrator' | 'trainer';
  transactional?: 'orchestrator';
  /** Joins the lease group `<group>-lease` on the lease topic `<prefix>orchestrator-lease` (READ on both). */
  lease?: boolean;
}

export const KAFKA_PRINCIPALS = {
  /** Super user of the local stack (broker set-up, ACL administration); no service runs as it. */
  'vigil-admin': { reads: [], writes: [], createsTopics: false },
  'vigil-ingestor': { reads: ['predictions', 'labels'], writes: ['deadLetter'], createsTopics: true, group: 'ingestor' },
  'vigil-monitor': { reads: ['predictions', 'labels'], writes: ['metricSnapshots', 'alerts'], createsTopics: true, group: 'monitor' },
  'vigil-orchestrator': {
    reads: ['alerts', 'metricSnapshots', 'modelDeployed', 'retrainCompleted'],
    writes: ['retrainRequested', 'rollbackRequested', 'modelDeployed', 'deadLetter'],
    createsTopics: true,
    group: 'orchestrator',
    transactional: 'orchestrator',
    lease: true,
  },
  /** Your services reporting through the SDK, and the simulator. */
  'vigil-producer': { reads: [], writes: ['predictions', 'labels'], createsTopics: false },
  /** Your deployer: tells Vigil which version now serves. */
  'vigil-deployer': { reads: ['rollbackRequested'], writes: ['modelDeployed'], createsTopics: false },
  /** The traffic simulator and the demo: a producer service and a deployer at once, and it creates the topic map. */
  'vigil-simulator': { reads: [], writes: ['predictions', 'labels', 'modelDeployed'], createsTopics: true },
  /** Your training pipeline: takes retrain requests, reports completions. */
  'vigil-trainer': { reads: ['retrainRequested'], writes: ['retrainCompleted'], createsTopics: false, group: 'trainer' },
} as const satisfies Record<string, PrincipalGrant>;

export type KafkaPrincipal = keyof typeof KAFKA_PRINCIPALS;

/** The names a deployment gives the groups and transactional ids of the grants. */
export interface AclNames {
  topics: TopicMap;
  /** Prefix of every topic name: CREATE and DESCRIBE for the services that create the map. */
  topicPrefix: string;
  groups: Record<NonNullable<PrincipalGrant['group']>, string>;
  transactionalIds: Record<NonNullable<PrincipalGrant['transactional']>, string>;
}

const entry = (principal: string, resourceType: AclResourceTypes, resourceName: string, operation: AclOperationTypes, pattern = ResourcePatternTypes.LITERAL): AclEntry => ({
  principal: `User:${principal}`,
  host: '*',
  operation,
  permissionType: AclPermissionTypes.ALLOW,
  resourceType,
  resourceName,
  resourcePatternType: pattern,
});

/** The ACL entries of one principal (kafkajs `createAcls` form). */
export function principalAcls(principal: KafkaPrincipal, names: AclNames): AclEntry[] {
  const grant: PrincipalGrant = KAFKA_PRINCIPALS[principal];
  const acls: AclEntry[] = [];
  const topic = (t: Topic, operation: AclOperationTypes) => acls.push(entry(principal, AclResourceTypes.TOPIC, names.topics[t], operation));
  for (const t of new Set([...grant.reads, ...grant.writes])) topic(t, AclOperationTypes.DESCRIBE);
  for (const t of grant.reads) topic(t, AclOperationTypes.READ);
  for (const t of grant.writes) topic(t, AclOperationTypes.WRITE);
  if (grant.createsTopics) {
    for (const operation of [AclOperationTypes.CREATE, AclOperationTypes.DESCRIBE]) {
      acls.push(entry(principal, AclResourceTypes.TOPIC, names.topicPrefix, operation, ResourcePatternTypes.PREFIXED));
    }
  }
  if (grant.group) acls.push(entry(principal, AclResourceTypes.GROUP, names.groups[grant.group], AclOperationTypes.READ));
  if (grant.lease && grant.group) {
    const lease = orchestratorLease(names.topicPrefix, names.groups[grant.group]);
    for (const operation of [AclOperationTypes.READ, AclOperationTypes.DESCRIBE]) acls.push(entry(principal, AclResourceTypes.TOPIC, lease.topic, operation));
    acls.push(entry(principal, AclResourceTypes.GROUP, lease.groupId, AclOperationTypes.READ));
  }
  if (grant.transactional) {
    for (const operation of [AclOperationTypes.WRITE, AclOperationTypes.DESCRIBE]) {
      acls.push(entry(principal, AclResourceTypes.TRANSACTIONAL_ID, names.transactionalIds[grant.transactional], operation));
    }
  }
  return acls;
}

/** Every principal's ACL entries. */
export function serviceAcls(names: AclNames): AclEntry[] {
  return (Object.keys(KAFKA_PRINCIPALS) as KafkaPrincipal[]).flatMap((principal) => principalAcls(principal, names));
}
