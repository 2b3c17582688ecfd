/** A Kafka position to commit: the offset of the next record to read. */
export interface CommitPosition {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Commits, in the background and one request at a time, the highest offset of each
 * partition whose records ClickHouse has acknowledged. Several batches acknowledged
 * together become one commit request.
 */
export class OffsetCommitter {
  private readonly inserted = new Map<string, { topic: string; partition: number; next: bigint }>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly commit: (positions: CommitPosition[]) => Promise<void>,
    private readonly failed: (error: Error) => void,
  ) {}

  markInserted(topic: string, partition: number, nextOffset: bigint): void {
    const key = `${topic}\u0000${partition}`;
    const known = this.inserted.get(key);
    if (!known || nextOffset > known.next) this.inserted.set(key, { topic, partition, next: nextOffset });
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when every acknowledged position has been sent (or failed to be). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    while (this.inserted.size > 0) {
      const batch = [...this.inserted.entries()];
      this.inserted.clear();
      try {
        await this.commit(batch.map(([, p]) => ({ topic: p.topic, partition: p.partition, offset: p.next.toString() })));
      } catch (error) {
        // Not committed: put back unless a newer position arrived meanwhile; the next mark retries.
        for (const [key, p] of batch) if (!this.inserted.has(key)) this.inserted.set(key, p);
        this.failed(error instanceof Error ? error : new Error(String(error)));
        return;
      }
    }
  }
}
