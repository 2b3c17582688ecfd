/** A Kafka position to commit: the offset of the next record to read, and what a replay of it needs. */
export interface CommitPosition {
  topic: string;
  partition: number;
  offset: string;
  metadata?: string;
}

interface Position {
  topic: string;
  partition: number;
  next: bigint;
  metadata: string | undefined;
  waiters: { resolve: () => void; reject: (error: Error) => void }[];
}

/**
 * Commits, in the background and one request at a time, the highest offset of each
 * partition whose records ClickHouse has acknowledged. Several batches acknowledged
 * together become one commit request. A replay intent (`commitIntent`) rides on the
 * offset already acknowledged, as the commit's metadata, until a higher offset replaces it.
 */
export class OffsetCommitter {
  private readonly pending = new Map<string, Position>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly commit: (positions: CommitPosition[]) => Promise<void>,
    private readonly failed: (error: Error) => void,
  ) {}

  markInserted(topic: string, partition: number, nextOffset: bigint): void {
    this.mark(topic, partition, nextOffset, undefined);
  }

  /**
   * Commits `offset` (acknowledged already, or about to be) with `metadata`; resolves once a
   * commit request carrying it succeeded, rejects if that request failed. An acknowledgement
   * of the same offset does not erase it; one of a higher offset does.
   */
  commitIntent(topic: string, partition: number, offset: bigint, metadata: string): Promise<void> {
    return new Promise((resolve, reject) => this.mark(topic, partition, offset, metadata, { resolve, reject }));
  }

  /** Resolves when every acknowledged position has been sent (or failed to be). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private mark(topic: string, partition: number, next: bigint, metadata: string | undefined, waiter?: Position['waiters'][number]): void {
    const key = `${topic}\u0000${partition}`;
    const known = this.pending.get(key);
    if (!known || next > known.next || (next === known.next && metadata !== undefined)) {
      // A replaced intent's waiters learn of the commit that carries its successor.
      this.pending.set(key, { topic, partition, next, metadata, waiters: [...(known?.waiters ?? []), ...(waiter ? [waiter] : [])] });
    } else if (waiter) {
      // Already past it: nothing of this intent is left to replay.
      waiter.resolve();
    }
    this.start();
  }

  private start(): void {
    if (this.running) return;
    this.running = this.loop().then((failed) => {
      this.running = undefined;
      // A mark made after the loop's last look (a waiter's continuation runs there) is not
      // left behind; after a failure the next mark retries, as always.
      if (!failed && this.pending.size > 0) this.start();
    });
  }

  /** Commits until nothing is pending; true if it stopped at a failed commit. */
  private async loop(): Promise<boolean> {
    while (this.pending.size > 0) {
      const batch = [...this.pending.entries()];
      this.pending.clear();
      try {
        await this.commit(
          batch.map(([, p]) => ({ topic: p.topic, partition: p.partition, offset: p.next.toString(), ...(p.metadata === undefined ? {} : { metadata: p.metadata }) })),
        );
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        // Not committed: put back unless a newer position arrived meanwhile; the next mark retries.
        for (const [key, p] of batch) {
          for (const waiter of p.waiters) waiter.reject(failure);
          if (!this.pending.has(key)) this.pending.set(key, { ...p, waiters: [] });
        }
        this.failed(failure);
        return true;
      }
      for (const [, p] of batch) for (const waiter of p.waiters) waiter.resolve();
    }
    return false;
  }
}
