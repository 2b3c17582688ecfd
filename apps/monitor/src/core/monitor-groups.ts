import type { Task } from '@vigil/contracts';
import { KeyedGroups, LatencySketch } from '@vigil/monitoring';
import type { GroupCheckpoint, GroupState } from './monitor-state';
import { RollingPerformance } from './rolling-performance';

/** What new groups are made with, read when one is made (the task and config can change). */
export interface GroupSettings {
  task: Task | null;
  metricWindow: number;
  /** Segment tags with their own groups; null = every tag of the prediction. */
  segmentTags: string[] | null;
}

/**
 * The (version) and (version, segment tag = value) groups of one model. Version groups are
 * always kept; segment groups are bounded by `maxGroups` (refusals counted in `refused`).
 */
export class MonitorGroups {
  private readonly versionGroups = new Map<string, GroupState>();
  private readonly segmentGroups: KeyedGroups<GroupState>;

  constructor(
    private readonly modelId: string,
    maxGroups: number,
    private readonly settings: () => GroupSettings,
  ) {
    this.segmentGroups = new KeyedGroups((key) => this.newGroup(key.version!, key.segment!.tag, key.segment!.value), maxGroups);
  }

  /** Version groups first, then segment groups, each in creation order. */
  *all(): IterableIterator<GroupState> {
    yield* this.versionGroups.values();
    for (const [, g] of this.segmentGroups.entries()) yield g;
  }

  get refused(): number {
    return this.segmentGroups.rejected;
  }

  /** The version's group and the segment groups of its tags that exist or can be made. */
  of(version: string, tags: Record<string, string>): GroupState[] {
    const out = [this.version(version)];
    const tagNames = this.settings().segmentTags ?? Object.keys(tags).sort();
    for (const tag of tagNames) {
      if (!Object.hasOwn(tags, tag)) continue;
      const g = this.segment(version, tag, tags[tag]);
      if (g) out.push(g);
    }
    return out;
  }

  version(version: string): GroupState {
    let g = this.versionGroups.get(version);
    if (!g) {
      g = this.newGroup(version, '', '');
      this.versionGroups.set(version, g);
    }
    return g;
  }

  /** The segment's group, made if there is room; undefined when refused. */
  segment(version: string, tag: string, value: string): GroupState | undefined {
    return this.segmentGroups.get({ model: this.modelId, version, segment: { tag, value } });
  }

  toJSON(): GroupCheckpoint[] {
    return [...this.all()].map((g) => ({
      version: g.version,
      segmentKey: g.segmentKey,
      segmentValue: g.segmentValue,
      predictions: g.predictions,
      labelled: g.labelled,
      firstTime: g.firstTime,
      lastTime: g.lastTime,
      window: g.window.toJSON(),
      latency: g.latency.toJSON(),
    }));
  }

  /** Restores the groups of a checkpoint, latency sketches of the current snapshot interval included. */
  restore(checkpoints: GroupCheckpoint[], task: Task, metricWindow: number): void {
    for (const g of checkpoints) {
      const target = g.segmentKey === '' ? this.version(g.version) : this.segment(g.version, g.segmentKey, g.segmentValue);
      if (!target) continue;
      // JSON turns the ±Infinity of an empty group into null.
      target.predictions = g.predictions;
      target.labelled = g.labelled;
      target.firstTime = g.firstTime ?? Infinity;
      target.lastTime = g.lastTime ?? -Infinity;
      target.window = RollingPerformance.fromJSON(task, metricWindow, g.window);
      if (g.latency) target.latency = LatencySketch.fromJSON(g.latency);
    }
  }

  private newGroup(version: string, segmentKey: string, segmentValue: string): GroupState {
    const { task, metricWindow } = this.settings();
    return {
      version,
      segmentKey,
      segmentValue,
      predictions: 0,
      labelled: 0,
      firstTime: Infinity,
      lastTime: -Infinity,
      window: new RollingPerformance(task ?? 'CLASSIFICATION', metricWindow),
      latency: new LatencySketch(),
      dirty: false,
    };
  }
}
