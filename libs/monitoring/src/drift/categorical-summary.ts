import { CategoricalSummaryJSON, DEFAULT_MAX_CATEGORIES } from './summary-json';

/**
 * Counts per category, at most `maxCategories` of them (default 1000): the first
 * categories seen are kept with exact counts; rows of any further category are
 * counted in `overflow` (never dropped silently), and the summary is then no longer
 * `exact`. Tests then compare the categories kept on both sides plus one "other"
 * bin (see `categoryCounts`).
 */
export class CategoricalSummary {
  readonly kind = 'categorical' as const;
  readonly maxCategories: number;
  /** Counts by raw key (strings, and numbers without String() on the hot path). */
  private readonly raw = new Map<string | number, number>();
  private readonly kept = new Set<string>();
  private normalised: Map<string, number> | null = null;
  private n = 0;
  private missingCount = 0;
  private overflowCount = 0;

  constructor(options: { maxCategories?: number } = {}) {
    this.maxCategories = Math.max(1, Math.floor(options.maxCategories ?? DEFAULT_MAX_CATEGORIES));
  }

  static of(values: Iterable<unknown>, options: { maxCategories?: number } = {}): CategoricalSummary {
    const s = new CategoricalSummary(options);
    for (const v of values) s.add(v);
    return s;
  }

  /** Any non-missing value is a category; numbers and booleans by their string form. */
  add(value: unknown): void {
    let key: string | number;
    if (typeof value === 'number') {
      if (value - value !== 0) {
        this.missingCount++;
        return;
      }
      key = value + 0; // -0 and 0 are one category ('0')
    } else if (typeof value === 'string') {
      if (value === '') {
        this.missingCount++;
        return;
      }
      key = value;
    } else if (value === null || value === undefined) {
      this.missingCount++;
      return;
    } else key = String(value);
    this.n++;
    const c = this.raw.get(key);
    if (c !== undefined) {
      this.raw.set(key, c + 1);
      return;
    }
    this.addNewKey(key);
  }

  private addNewKey(key: string | number): void {
    const name = typeof key === 'string' ? key : String(key);
    if (!this.kept.has(name)) {
      if (this.kept.size >= this.maxCategories) {
        this.overflowCount++;
        return;
      }
      this.kept.add(name);
    }
    this.raw.set(key, 1);
    this.normalised = null;
  }

  private counts(): Map<string, number> {
    if (this.normalised && this.normalisedAt === this.n) return this.normalised;
    const out = new Map<string, number>();
    for (const [k, c] of this.raw) {
      const name = typeof k === 'string' ? k : String(k);
      out.set(name, (out.get(name) ?? 0) + c);
    }
    this.normalised = out;
    this.normalisedAt = this.n;
    return out;
  }
  private normalisedAt = -1;

  /** Non-missing values, overflow included. */
  get count(): number {
    return this.n;
  }
  get missing(): number {
    return this.missingCount;
  }
  /** Categorical columns have no type mismatches: every value is a category. */
  get invalid(): number {
    return 0;
  }
  /** Rows whose category was not kept (the summary already had `maxCategories`). */
  get overflow(): number {
    return this.overflowCount;
  }
  get rows(): number {
    return this.n + this.missingCount;
  }
  /** Categories kept (a lower bound of the true number once `overflow` > 0). */
  get distinctCount(): number {
    return this.kept.size;
  }
  /** False once categories overflowed the cap. */
  get exact(): boolean {
    return this.overflowCount === 0;
  }
  countOf(category: string): number {
    return this.counts().get(category) ?? 0;
  }
  /** True when `category` is counted here (false for an unseen or overflowed one). */
  has(category: string): boolean {
    return this.kept.has(category);
  }
  /** Categories in a stable (sorted) order. */
  categories(): string[] {
    return [...this.kept].sort();
  }
  entries(): Array<[string, number]> {
    const counts = this.counts();
    return this.categories().map((k) => [k, counts.get(k) as number]);
  }

  /**
   * Both inputs; past the cap the most frequent categories are kept (ties by name)
   * and the others' rows move to `overflow`.
   */
  merge(other: CategoricalSummary): CategoricalSummary {
    const out = new CategoricalSummary({ maxCategories: Math.max(this.maxCategories, other.maxCategories) });
    const all = new Map<string, number>();
    for (const s of [this, other]) {
      for (const [k, c] of s.counts()) all.set(k, (all.get(k) ?? 0) + c);
      out.n += s.n;
      out.missingCount += s.missingCount;
      out.overflowCount += s.overflowCount;
    }
    let entries = [...all.entries()];
    if (entries.length > out.maxCategories) {
      entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      for (const [, c] of entries.slice(out.maxCategories)) out.overflowCount += c;
      entries = entries.slice(0, out.maxCategories);
    }
    for (const [k, c] of entries) {
      out.kept.add(k);
      out.raw.set(k, c);
    }
    return out;
  }

  toJSON(): CategoricalSummaryJSON {
    return {
      kind: 'categorical',
      count: this.n,
      missing: this.missingCount,
      maxCategories: this.maxCategories,
      overflow: this.overflowCount,
      categories: this.entries(),
    };
  }

  static fromJSON(json: CategoricalSummaryJSON): CategoricalSummary {
    if (json.kind !== 'categorical') throw new TypeError('not a categorical summary');
    const s = new CategoricalSummary({
      maxCategories: Math.max(json.maxCategories ?? DEFAULT_MAX_CATEGORIES, json.categories.length),
    });
    for (const [k, c] of json.categories) {
      s.kept.add(k);
      s.raw.set(k, c);
    }
    s.n = json.count;
    s.missingCount = json.missing;
    s.overflowCount = json.overflow ?? 0;
    return s;
  }
}
