import { Row } from './rows';
import { IngestTable } from './ingest.repository';

/**
 * Identical replays (docs/ingest.md "Identical replays"). Before a flush inserts a
 * partition's records [first, next), the ingestor commits `first` again with a replay
 * intent as the commit's metadata: where the block ends and the stamp it carries. A crash
 * before the commit of `next` leaves that intent behind; whoever owns the partition next
 * reads it, rebuilds the block from exactly those records with that stamp, and inserts it
 * alone, so a replicated table recognises the block and drops it.
 */

/** Where a written-down block ends (the offset after its last record) and its stamp. */
export interface ReplayIntent {
  next: bigint;
  stampMs: number;
}

const INTENT = /^vigil-replay\/1 (\d{1,19}) (\d{1,15})$/;

export function formatReplayIntent({ next, stampMs }: ReplayIntent): string {
  return `vigil-replay/1 ${next} ${stampMs}`;
}

/** The intent a commit's metadata holds, if it is one (anything else, e.g. another tool's metadata, is not). */
export function parseReplayIntent(metadata: string | null | undefined): ReplayIntent | undefined {
  const match = metadata ? INTENT.exec(metadata) : null;
  return match ? { next: BigInt(match[1]), stampMs: Number(match[2]) } : undefined;
}

/** A group's committed position of one partition, as Kafka returns it. */
export interface CommittedOffset {
  partition: number;
  offset: string;
  metadata: string | null;
}

/** A block being rebuilt: the records [first, next) and the rows decoded from them so far. */
export interface Replay {
  first: bigint;
  next: bigint;
  stampMs: number;
  rows: Record<IngestTable, Row[]>;
}

/**
 * For each partition this instance reads, whether its next batch opens a replay. Checked
 * once per partition per group generation (`forget` on every join): only then can the
 * committed position be one this instance did not write.
 */
export class PartitionReplays {
  private readonly committed = new Map<string, Promise<CommittedOffset[]>>();
  private readonly checked = new Set<string>();
  private readonly open = new Map<string, Replay>();

  /**
   * `lookupFailed` hears of a committed-offsets lookup that failed: the partitions it was for
   * open no replay in this generation (their replays are then new blocks, folded by the
   * analyst views), so that ingestion never waits on, or fails with, this optimisation.
   */
  constructor(
    private readonly fetchCommitted: (topic: string) => Promise<CommittedOffset[]>,
    private readonly lookupFailed: (topic: string, error: Error) => void,
  ) {}

  /** A new group generation: every partition is checked again. */
  forget(): void {
    this.committed.clear();
    this.checked.clear();
    this.open.clear();
  }

  /**
   * The replay a batch whose first record is at `first` belongs to, if any: the one already
   * open on the partition, or one its committed intent opens (committed offset ≤ first < next).
   */
  async replayFor(topic: string, partition: number, first: bigint): Promise<Replay | undefined> {
    const key = `${topic}\u0000${partition}`;
    const open = this.open.get(key);
    if (open) return open;
    if (this.checked.has(key)) return undefined;
    let committed = this.committed.get(topic);
    if (!committed) {
      committed = this.fetchCommitted(topic).catch((error: unknown) => {
        this.lookupFailed(topic, error instanceof Error ? error : new Error(String(error)));
        return [];
      });
      this.committed.set(topic, committed);
    }
    const position = (await committed).find((p) => p.partition === partition);
    this.checked.add(key);
    const intent = parseReplayIntent(position?.metadata);
    if (!position || !intent || BigInt(position.offset) > first || first >= intent.next) return undefined;
    const replay: Replay = { first: BigInt(position.offset), next: intent.next, stampMs: intent.stampMs, rows: { predictions: [], labels: [], dead_letters: [] } };
    this.open.set(key, replay);
    return replay;
  }

  /** The replay of the partition is complete (handed to the buffer): later batches are new records. */
  close(topic: string, partition: number): void {
    this.open.delete(`${topic}\u0000${partition}`);
  }
}
