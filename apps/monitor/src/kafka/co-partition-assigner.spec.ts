import { AssignerProtocol, Cluster, Logger } from 'kafkajs';
import { CoPartitionAssigner } from './co-partition-assigner';

describe('CoPartitionAssigner', () => {
  it('gives partition N of every topic to the same member, dealt over sorted members', async () => {
    const partitions = (n: number) => Array.from({ length: n }, (_, partitionId) => ({ partitionId }));
    const cluster = { findTopicPartitionMetadata: () => partitions(4) } as unknown as Cluster;
    const assigner = CoPartitionAssigner({ cluster, groupId: 'g', logger: {} as Logger });
    const members = ['m-c', 'm-a', 'm-b'].map((memberId) => ({ memberId, memberMetadata: Buffer.alloc(0) }));
    const result = await assigner.assign({ members, topics: ['labels', 'predictions'] });
    const decoded = Object.fromEntries(result.map((r) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!.assignment]));
    // Sorted members m-a, m-b, m-c; partition p goes to member p mod 3 on both topics.
    expect(decoded).toEqual({
      'm-a': { labels: [0, 3], predictions: [0, 3] },
      'm-b': { labels: [1], predictions: [1] },
      'm-c': { labels: [2], predictions: [2] },
    });
  });
});
