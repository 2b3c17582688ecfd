import { CommittedOffset, formatReplayIntent, PartitionReplays, parseReplayIntent } from './replays';

describe('replay intents', () => {
  it('round-trips through commit metadata and refuses anything else', () => {
    const intent = { next: 9_007_199_254_740_993n, stampMs: 1_767_225_600_123 }; // 2^53 + 1: offsets stay bigints
    expect(parseReplayIntent(formatReplayIntent(intent))).toEqual(intent);
    expect(formatReplayIntent({ next: 15n, stampMs: 1000 })).toBe('vigil-replay/1 15 1000');
    for (const other of [null, undefined, '', 'vigil-replay/2 15 1000', 'vigil-replay/1 -1 1000', 'vigil-replay/1 15', 'event-id-3']) {
      expect(parseReplayIntent(other)).toBeUndefined();
    }
  });
});

describe('PartitionReplays', () => {
  const committed = (entries: CommittedOffset[]) => {
    const calls: string[] = [];
    const replays = new PartitionReplays(
      async (topic) => {
        calls.push(topic);
        return entries;
      },
      () => undefined,
    );
    return { replays, calls };
  };

  it('opens a replay when the first batch starts inside a written-down block, once per generation', async () => {
    const { replays, calls } = committed([
      { partition: 0, offset: '10', metadata: formatReplayIntent({ next: 15n, stampMs: 5000 }) },
      { partition: 1, offset: '40', metadata: null },
    ]);
    const replay = await replays.replayFor('t', 0, 10n);
    expect(replay).toMatchObject({ first: 10n, next: 15n, stampMs: 5000 });
    // The next batch of the partition continues the same replay.
    expect(await replays.replayFor('t', 0, 12n)).toBe(replay);
    replays.close('t', 0);
    expect(await replays.replayFor('t', 0, 15n)).toBeUndefined();
    expect(await replays.replayFor('t', 1, 40n)).toBeUndefined();
    // One lookup of the topic's committed offsets serves every partition of the generation.
    expect(calls).toEqual(['t']);
    replays.forget();
    expect(await replays.replayFor('t', 0, 10n)).toMatchObject({ first: 10n, next: 15n });
    expect(calls).toEqual(['t', 't']);
  });

  it('opens none when the batch starts before the committed offset or past the block', async () => {
    const metadata = formatReplayIntent({ next: 15n, stampMs: 5000 });
    const past = committed([{ partition: 0, offset: '10', metadata }]);
    expect(await past.replays.replayFor('t', 0, 15n)).toBeUndefined(); // retention removed the block's records
    const before = committed([{ partition: 0, offset: '10', metadata }]);
    expect(await before.replays.replayFor('t', 0, 9n)).toBeUndefined();
    // A control record (transaction marker) at the committed offset: the first record comes after it.
    const marker = committed([{ partition: 0, offset: '10', metadata }]);
    expect(await marker.replays.replayFor('t', 0, 11n)).toMatchObject({ first: 10n, next: 15n });
  });

  it('opens no replay when the lookup fails, reports it, and asks again only in the next generation', async () => {
    let fail = true;
    const failures: string[] = [];
    const replays = new PartitionReplays(
      async () => {
        if (fail) throw new Error('coordinator not available');
        return [{ partition: 0, offset: '3', metadata: formatReplayIntent({ next: 4n, stampMs: 1 }) }];
      },
      (topic, error) => failures.push(`${topic}: ${error.message}`),
    );
    expect(await replays.replayFor('t', 0, 3n)).toBeUndefined();
    fail = false;
    expect(await replays.replayFor('t', 0, 3n)).toBeUndefined();
    expect(failures).toEqual(['t: coordinator not available']);
    replays.forget();
    expect(await replays.replayFor('t', 0, 3n)).toMatchObject({ first: 3n, next: 4n });
  });
});
