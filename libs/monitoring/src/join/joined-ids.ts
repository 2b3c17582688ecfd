/**
 * Ids of joined predictions with their prediction times, oldest joined first, kept to
 * recognise a duplicate after the join. Entries only ever leave from the oldest end
 * (evicted at the bound or past their lookback), so no per-entry object is needed: a Set
 * for membership beside parallel arrays of ids and times (a Float64Array, so no boxed
 * number per entry). At 5,000 ids this is about a third of the FifoMap it replaced
 * (bench/fleet.ts, heap per model).
 */
export class JoinedIds {
  private readonly members = new Set<string>();
  private ids: string[] = [];
  private times = new Float64Array(64);
  /** Index of the oldest live entry in `ids` / `times`. */
  private head = 0;

  get size(): number {
    return this.members.size;
  }

  has(id: string): boolean {
    return this.members.has(id);
  }

  /** Appends `id` as the newest entry (the caller guarantees it is not present). */
  add(id: string, time: number): void {
    if (this.ids.length === this.times.length) this.makeRoom();
    this.times[this.ids.length] = time;
    this.ids.push(id);
    this.members.add(id);
  }

  /** The prediction time of the oldest entry, undefined when empty. */
  oldestTime(): number | undefined {
    return this.head < this.ids.length ? this.times[this.head] : undefined;
  }

  /** Removes the oldest entry. */
  shift(): void {
    if (this.head >= this.ids.length) return;
    this.members.delete(this.ids[this.head]);
    // Release the string now rather than at the next compaction.
    this.ids[this.head] = '';
    this.head += 1;
  }

  /** Compacts when at least half the arrays are dead entries, else doubles them: O(1) amortised either way. */
  private makeRoom(): void {
    if (this.head * 2 >= this.times.length) {
      this.ids = this.ids.slice(this.head);
      this.times.copyWithin(0, this.head);
      this.head = 0;
      return;
    }
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.times = times;
  }
}
