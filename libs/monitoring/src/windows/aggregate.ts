/** An incremental summary of the values in a window. */
export interface Aggregate<V> {
  add(value: V): void;
}

/** An aggregate that can absorb another of the same kind (needed by time windows, which keep one per pane). */
export interface MergeableAggregate<V, Self> extends Aggregate<V> {
  merge(other: Self): void;
}
