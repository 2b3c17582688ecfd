/** Where a metric value belongs: a model, optionally one version, optionally one segment (tag = value). */
export interface GroupKey {
  readonly model: string;
  readonly version?: string;
  readonly segment?: { readonly tag: string; readonly value: string };
}

export interface SegmentedEvent {
  readonly model: string;
  readonly version?: string;
  /** Segment tags of the prediction, e.g. `{ country: 'FR', channel: 'web' }`. */
  readonly tags?: Readonly<Record<string, string>>;
}

const SEP = '\u001f';

/** Stable string form of a key (unit separator between parts; parts are free text). */
export function groupKeyId(key: GroupKey): string {
  let id = key.model;
  if (key.version !== undefined) id += SEP + 'v' + SEP + key.version;
  if (key.segment !== undefined) id += SEP + 's' + SEP + key.segment.tag + SEP + key.segment.value;
  return id;
}

/**
 * The groups one event contributes to: the model, the model version, and one group per
 * segment tag in `segmentTags` present on the event (within the version when known).
 */
export function groupKeysFor(event: SegmentedEvent, segmentTags: readonly string[] = []): GroupKey[] {
  const keys: GroupKey[] = [{ model: event.model }];
  if (event.version !== undefined) keys.push({ model: event.model, version: event.version });
  for (const tag of segmentTags) {
    const value = event.tags?.[tag];
    if (value !== undefined) keys.push({ model: event.model, version: event.version, segment: { tag, value } });
  }
  return keys;
}

/**
 * A bounded map from group key to a state object (metrics, windows, sketches). New groups
 * beyond `maxGroups` are refused and counted in `rejected`, never silently created, so a
 * high-cardinality tag cannot exhaust memory.
 */
export class KeyedGroups<S> {
  private readonly groups = new Map<string, { key: GroupKey; state: S }>();
  private rejectedCount = 0;

  constructor(
    private readonly factory: (key: GroupKey) => S,
    readonly maxGroups = 10_000,
  ) {}

  get size(): number {
    return this.groups.size;
  }

  /** Groups refused because `maxGroups` was reached. */
  get rejected(): number {
    return this.rejectedCount;
  }

  /** The state for `key`, created on first use; undefined when the group limit is reached. */
  get(key: GroupKey): S | undefined {
    const id = groupKeyId(key);
    const g = this.groups.get(id);
    if (g) return g.state;
    if (this.groups.size >= this.maxGroups) {
      this.rejectedCount += 1;
      return undefined;
    }
    const state = this.factory(key);
    this.groups.set(id, { key, state });
    return state;
  }

  peek(key: GroupKey): S | undefined {
    return this.groups.get(groupKeyId(key))?.state;
  }

  /** Applies `fn` to the state of every group the event belongs to. */
  forEvent(event: SegmentedEvent, segmentTags: readonly string[], fn: (state: S, key: GroupKey) => void): void {
    for (const key of groupKeysFor(event, segmentTags)) {
      const s = this.get(key);
      if (s !== undefined) fn(s, key);
    }
  }

  delete(key: GroupKey): boolean {
    return this.groups.delete(groupKeyId(key));
  }

  *entries(): IterableIterator<[GroupKey, S]> {
    for (const { key, state } of this.groups.values()) yield [key, state];
  }
}
