import { CategoricalSummary, NumericSummary, columnSummaryFromJSON, mergeColumnSummaries } from './summary';
import { DatasetSummary } from './dataset-summary';
import { mulberry32 } from '../random';

describe('NumericSummary', () => {
  it('keeps exact values and ties, counts missing and type mismatches', () => {
    const s = NumericSummary.of([3, 1, 2, 2, null, undefined, '', NaN, Infinity, 'abc', true]);
    expect(s.exact).toBe(true);
    expect(s.count).toBe(4);
    expect(s.missing).toBe(5); // null, undefined, '', NaN, Infinity
    expect(s.invalid).toBe(2); // 'abc', true
    expect(Array.from(s.points().values)).toEqual([1, 2, 3]);
    expect(Array.from(s.points().weights)).toEqual([1, 2, 1]);
    // numpy: np.mean([3,1,2,2]) = 2, np.std = sqrt(0.5)
    expect(s.mean).toBe(2);
    expect(s.std).toBeCloseTo(Math.SQRT1_2, 15);
    expect([s.min, s.max]).toEqual([1, 3]);
  });

  it('merging two exact summaries equals summarising the concatenation', () => {
    const rnd = mulberry32(3);
    const a = Array.from({ length: 500 }, () => Math.floor(rnd() * 50));
    const b = Array.from({ length: 700 }, () => Math.floor(rnd() * 60));
    const merged = NumericSummary.of(a).merge(NumericSummary.of(b));
    const whole = NumericSummary.of([...a, ...b]);
    expect(merged.toJSON().values).toEqual(whole.toJSON().values);
    expect(merged.toJSON().weights).toEqual(whole.toJSON().weights);
    expect(merged.count).toBe(1200);
    expect(merged.mean).toBeCloseTo(whole.mean, 12);
    expect(merged.variance).toBeCloseTo(whole.variance, 10);
  });

  it('switches to a bounded sketch past its capacity, with exact moments', () => {
    const rnd = mulberry32(11);
    const s = new NumericSummary({ capacity: 64 });
    const xs: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const x = rnd();
      xs.push(x);
      s.add(x);
    }
    expect(s.exact).toBe(false);
    expect(s.distinctCount).toBeNull();
    expect(s.points().values.length).toBeLessThanOrEqual(2 * 64);
    expect(s.count).toBe(10_000);
    expect(s.min).toBe(Math.min(...xs));
    expect(s.max).toBe(Math.max(...xs));
    // Median of U(0,1) sketch: rank error ≤ 2/64 of the sample.
    expect(Math.abs(s.quantile(0.5) - 0.5)).toBeLessThan(0.05);
  });

  it('survives a plain JSON round trip', () => {
    const s = NumericSummary.of([1.5, 2.5, 2.5, null], { capacity: 40 });
    const back = columnSummaryFromJSON(JSON.parse(JSON.stringify(s)));
    expect(back.toJSON()).toEqual(s.toJSON());
    expect(back.kind).toBe('numeric');
  });

  it('rejects merging summaries of different kinds', () => {
    expect(() => mergeColumnSummaries(new NumericSummary(), new CategoricalSummary())).toThrow(TypeError);
  });
});

describe('CategoricalSummary', () => {
  it('counts categories and missing values; merges and round-trips', () => {
    const a = CategoricalSummary.of(['x', 'y', 'x', null, 1, true]);
    const b = CategoricalSummary.of(['y', 'z', undefined]);
    const m = a.merge(b);
    expect(m.entries()).toEqual([
      ['1', 1],
      ['true', 1],
      ['x', 2],
      ['y', 2],
      ['z', 1],
    ]);
    expect(m.count).toBe(7);
    expect(m.missing).toBe(2);
    expect(columnSummaryFromJSON(JSON.parse(JSON.stringify(m))).toJSON()).toEqual(m.toJSON());
  });
});

describe('DatasetSummary', () => {
  it('summarises rows per column, absent fields count as missing, and round-trips', () => {
    const d = new DatasetSummary({ age: 'numeric', country: 'categorical' });
    d.addRow({ age: 30, country: 'fr' });
    d.addRow({ age: 'thirty' });
    const back = DatasetSummary.fromJSON(JSON.parse(JSON.stringify(d)));
    expect(back.columns.age.count).toBe(1);
    expect(back.columns.age.invalid).toBe(1);
    expect(back.columns.country.missing).toBe(1);
    expect(back.merge(d).columns.country.count).toBe(2);
  });
});

describe('CategoricalSummary cap', () => {
  it('keeps the first maxCategories categories and counts the rest as overflow', () => {
    const s = CategoricalSummary.of(['a', 'b', 'a', 'c', 'd', 'c', 'a', null], { maxCategories: 2 });
    expect(s.entries()).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
    expect(s.overflow).toBe(3); // c, d, c
    expect(s.count).toBe(7); // overflow included, missing not
    expect(s.exact).toBe(false);
    const back = columnSummaryFromJSON(JSON.parse(JSON.stringify(s)));
    expect(back.toJSON()).toEqual(s.toJSON());
  });

  it('counts a number and its string form as one category without String() per add', () => {
    const s = CategoricalSummary.of([1, '1', 1, -0, 0, true, 'true'], { maxCategories: 3 });
    expect(s.entries()).toEqual([
      ['0', 2],
      ['1', 3],
      ['true', 2],
    ]);
    expect(s.overflow).toBe(0);
  });

  it('merge keeps the most frequent categories past the cap', () => {
    const a = CategoricalSummary.of(['x', 'x', 'y'], { maxCategories: 2 });
    const b = CategoricalSummary.of(['z', 'z', 'z', 'y'], { maxCategories: 2 });
    const m = a.merge(b);
    // x 2, y 2, z 3: z, then x before y on the tie (by name)
    expect(m.entries()).toEqual([
      ['x', 2],
      ['z', 3],
    ]);
    expect(m.overflow).toBe(2); // the two y
    expect(m.count).toBe(7);
  });

  it('defaults to 1000 categories; old JSON without the cap fields still loads', () => {
    const s = CategoricalSummary.of(Array.from({ length: 1500 }, (_, i) => `id-${i}`));
    expect(s.distinctCount).toBe(1000);
    expect(s.overflow).toBe(500);
    const old = CategoricalSummary.fromJSON({ kind: 'categorical', count: 2, missing: 0, categories: [['a', 2]] });
    expect(old.overflow).toBe(0);
    expect(old.maxCategories).toBe(1000);
  });
});

describe('NumericSummary batching', () => {
  it('stays exact with ≤ capacity distinct values over many flushes', () => {
    const rnd = mulberry32(5);
    const s = new NumericSummary({ capacity: 32 });
    const counts = new Map<number, number>();
    for (let i = 0; i < 5000; i++) {
      const x = Math.floor(rnd() * 32) - 16;
      counts.set(x, (counts.get(x) ?? 0) + 1);
      s.add(x);
    }
    expect(s.exact).toBe(true);
    const keys = [...counts.keys()].sort((a, b) => a - b);
    expect(Array.from(s.points().values)).toEqual(keys);
    expect(Array.from(s.points().weights)).toEqual(keys.map((k) => counts.get(k)));
  });

  it('releasing the add buffer changes no value, and rows added afterwards count as without it', () => {
    const rand = mulberry32(3);
    const draws = Array.from({ length: 3000 }, () => Math.round(rand() * 500) / 10);
    const kept = NumericSummary.of(draws.slice(0, 1000));
    const released = NumericSummary.of(draws.slice(0, 1000));
    released.releaseBuffer();
    expect(released.toJSON()).toEqual(kept.toJSON());
    for (const x of draws.slice(1000)) {
      kept.add(x);
      released.add(x);
    }
    expect(released.toJSON()).toEqual(kept.toJSON());
    // 501 possible values (0.0 … 50.0 by 0.1) ≤ the default capacity: still exact.
    expect(released.exact).toBe(true);
  });

  it('a sketch keeps every weight and a median within its rank bound after a shift', () => {
    const rnd = mulberry32(9);
    const s = new NumericSummary({ capacity: 64 });
    for (let i = 0; i < 20_000; i++) s.add(rnd() + (i >= 10_000 ? 10 : 0)); // a step change mid-stream
    const { values, weights } = s.points();
    expect(weights.reduce((a, b) => a + b, 0)).toBe(20_000);
    expect(values.length).toBeLessThanOrEqual(2 * 64);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
    // half the mass is in [0, 1), half in [10, 11): the 25 % and 75 % quantiles fall inside
    expect(s.quantile(0.25)).toBeLessThan(1);
    expect(s.quantile(0.75)).toBeGreaterThanOrEqual(10);
  });
});
