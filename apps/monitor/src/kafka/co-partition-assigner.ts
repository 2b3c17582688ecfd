import { AssignerProtocol, PartitionAssigner } from 'kafkajs';

/**
 * Gives partition N of EVERY subscribed topic to the same member. Predictions and labels
 * are both keyed by model id, so a model's predictions and labels sit on the same
 * partition number of the two topics; the round-robin assigner could hand those to two
 * different instances, and neither could join them. Partition numbers are dealt over the
 * sorted members like cards.
 */
export const CoPartitionAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'VigilCoPartitionAssigner',
  version: 1,

  async assign({ members, topics }) {
    const sortedMembers = members.map(({ memberId }) => memberId).sort();
    const assignment: Record<string, Record<string, number[]>> = {};
    for (const memberId of sortedMembers) assignment[memberId] = {};
    for (const topic of topics) {
      for (const { partitionId } of cluster.findTopicPartitionMetadata(topic)) {
        const member = assignment[sortedMembers[partitionId % sortedMembers.length]];
        (member[topic] ??= []).push(partitionId);
      }
    }
    return sortedMembers.map((memberId) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: assignment[memberId], userData: Buffer.alloc(0) }),
    }));
  },

  protocol({ topics }) {
    return {
      name: 'VigilCoPartitionAssigner',
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
    };
  },
});
