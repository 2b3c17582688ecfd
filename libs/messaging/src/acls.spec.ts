import { topicMap } from '@vigil/contracts';
import { AclOperationTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { AclNames, principalAcls } from './acls';

const names: AclNames = {
  topics: topicMap('vigil.'),
  topicPrefix: 'vigil.',
  groups: { ingestor: 'g-ingestor', monitor: 'g-monitor', orchestrator: 'g-orchestrator', trainer: 'g-trainer' },
  transactionalIds: { orchestrator: 'tx-orchestrator' },
};

/** kafkajs's enums are plain objects at run time: name by value. */
const nameOf = (enumObject: object, value: number) => Object.entries(enumObject).find(([, v]) => v === value)?.[0];

/** "OPERATION resource-type:name" for the entries of one principal, sorted. */
function grants(principal: Parameters<typeof principalAcls>[0]): string[] {
  return principalAcls(principal, names)
    .map(
      (a) =>
        `${nameOf(AclOperationTypes, a.operation)} ${nameOf(AclResourceTypes, a.resourceType)}:${a.resourceName}${a.resourcePatternType === ResourcePatternTypes.PREFIXED ? '*' : ''}`,
    )
    .sort();
}

describe('Kafka ACL table', () => {
  it('a producer service writes predictions and labels and nothing else', () => {
    expect(grants('vigil-producer')).toEqual(['DESCRIBE TOPIC:vigil.labels', 'DESCRIBE TOPIC:vigil.predictions', 'WRITE TOPIC:vigil.labels', 'WRITE TOPIC:vigil.predictions']);
  });

  it('the monitor reads its inputs, writes snapshots and alerts, and never retrain-requested', () => {
    const monitor = grants('vigil-monitor');
    expect(monitor.filter((g) => g.startsWith('WRITE'))).toEqual(['WRITE TOPIC:vigil.alerts', 'WRITE TOPIC:vigil.metric-snapshots']);
    expect(monitor).toContain('READ GROUP:g-monitor');
  });

  it('only the orchestrator writes retrain and rollback requests, inside its transactional id', () => {
    const orchestrator = grants('vigil-orchestrator');
    expect(orchestrator).toEqual(
      expect.arrayContaining([
        'WRITE TOPIC:vigil.retrain-requested',
        'WRITE TOPIC:vigil.rollback-requested',
        'WRITE TRANSACTIONAL_ID:tx-orchestrator',
        'READ GROUP:g-orchestrator',
        // Its lease (orchestratorLease): the one-partition topic and the group `<group>-lease`.
        'READ TOPIC:vigil.orchestrator-lease',
        'READ GROUP:g-orchestrator-lease',
      ]),
    );
    for (const other of ['vigil-ingestor', 'vigil-monitor', 'vigil-producer', 'vigil-deployer', 'vigil-trainer', 'vigil-simulator'] as const) {
      expect(grants(other)).not.toContain('WRITE TOPIC:vigil.retrain-requested');
    }
  });

  it('the services that create the topic map may create and describe topics under the prefix', () => {
    expect(grants('vigil-ingestor')).toEqual(expect.arrayContaining(['CREATE TOPIC:vigil.*', 'DESCRIBE TOPIC:vigil.*']));
    expect(grants('vigil-producer').some((g) => g.startsWith('CREATE'))).toBe(false);
  });
});
