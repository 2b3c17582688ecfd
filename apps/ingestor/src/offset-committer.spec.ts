import { CommitPosition, OffsetCommitter } from './offset-committer';

describe('OffsetCommitter', () => {
  it('commits the highest acknowledged offset per partition, coalescing marks made during a commit', async () => {
    const commits: CommitPosition[][] = [];
    let release: () => void = () => undefined;
    const committer = new OffsetCommitter(
      (positions) => {
        commits.push(positions);
        return new Promise<void>((resolve) => (release = resolve));
      },
      () => undefined,
    );
    committer.markInserted('t', 0, 10n);
    // While the first commit is in flight, three more marks arrive; 7 < 12 is ignored.
    committer.markInserted('t', 0, 12n);
    committer.markInserted('t', 0, 7n);
    committer.markInserted('t', 1, 5n);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await committer.flush();
    expect(commits).toEqual([
      [{ topic: 't', partition: 0, offset: '10' }],
      [
        { topic: 't', partition: 0, offset: '12' },
        { topic: 't', partition: 1, offset: '5' },
      ],
    ]);
  });

  it('keeps a failed position and sends it with the next commit', async () => {
    const commits: CommitPosition[][] = [];
    const errors: string[] = [];
    let fail = true;
    const committer = new OffsetCommitter(
      async (positions) => {
        commits.push(positions);
        if (fail) throw new Error('REBALANCE_IN_PROGRESS');
      },
      (error) => errors.push(error.message),
    );
    committer.markInserted('t', 0, 3n);
    await committer.flush();
    fail = false;
    committer.markInserted('t', 1, 9n);
    await committer.flush();
    expect(errors).toEqual(['REBALANCE_IN_PROGRESS']);
    expect(commits[1]).toEqual([
      { topic: 't', partition: 0, offset: '3' },
      { topic: 't', partition: 1, offset: '9' },
    ]);
  });
});

describe('OffsetCommitter intents', () => {
  it('commits an intent as metadata on its offset, keeps it over an acknowledgement of the same offset, and drops it past it', async () => {
    const commits: CommitPosition[][] = [];
    const committer = new OffsetCommitter(
      async (positions) => {
        commits.push(positions);
      },
      () => undefined,
    );
    committer.markInserted('t', 0, 10n);
    const intent = committer.commitIntent('t', 0, 10n, 'vigil-replay/1 15 1000');
    // The flush before acknowledged late: the same offset must not erase the intent.
    committer.markInserted('t', 0, 10n);
    await intent;
    committer.markInserted('t', 0, 15n);
    await committer.flush();
    expect(commits).toEqual([
      [{ topic: 't', partition: 0, offset: '10' }],
      [{ topic: 't', partition: 0, offset: '10', metadata: 'vigil-replay/1 15 1000' }],
      [{ topic: 't', partition: 0, offset: '15' }],
    ]);
  });

  it('rejects an intent whose commit failed, and resolves one already overtaken', async () => {
    let fail = true;
    const committer = new OffsetCommitter(
      async () => {
        if (fail) throw new Error('NOT_COORDINATOR');
      },
      () => undefined,
    );
    await expect(committer.commitIntent('t', 0, 4n, 'vigil-replay/1 6 1')).rejects.toThrow('NOT_COORDINATOR');
    fail = false;
    committer.markInserted('t', 0, 9n);
    await expect(committer.commitIntent('t', 0, 6n, 'vigil-replay/1 8 1')).resolves.toBeUndefined();
    await committer.flush();
  });
});
