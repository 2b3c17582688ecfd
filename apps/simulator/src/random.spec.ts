import { blendWeights, Random } from './random';

const draws = (random: Random, n: number, f: (r: Random) => number) => Array.from({ length: n }, () => f(random));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('Random', () => {
  it('replays the same sequence for the same seed and another for another seed', () => {
    const a = draws(new Random(42), 5, (r) => r.next());
    expect(draws(new Random(42), 5, (r) => r.next())).toEqual(a);
    expect(draws(new Random(43), 5, (r) => r.next())).not.toEqual(a);
    expect(a.every((u) => u >= 0 && u < 1)).toBe(true);
  });

  it('gives each named stream its own reproducible sequence', () => {
    const fraud = draws(Random.forStream(7, 'card-fraud'), 3, (r) => r.next());
    expect(draws(Random.forStream(7, 'card-fraud'), 3, (r) => r.next())).toEqual(fraud);
    expect(draws(Random.forStream(7, 'basket-value'), 3, (r) => r.next())).not.toEqual(fraud);
  });

  // 20 000 draws: the standard error of a mean is sd / 141, so the tolerances are ~4 SE.
  const n = 20_000;

  it('draws normals with the asked mean and standard deviation', () => {
    const xs = draws(new Random(1), n, (r) => r.normal(5, 2));
    const m = mean(xs);
    expect(m).toBeCloseTo(5, 1);
    expect(Math.sqrt(mean(xs.map((x) => (x - m) ** 2)))).toBeCloseTo(2, 1);
  });

  it('draws lognormals with median e^mu and exponentials with the asked mean', () => {
    // median of exp(N(3, 1)) = e^3 = 20.09; its SE is about 1.25 sigma e^mu / sqrt(n) = 0.18.
    expect(Math.abs(median(draws(new Random(2), n, (r) => r.lognormal(3, 1))) - Math.exp(3))).toBeLessThan(0.8);
    // exponential mean 10 has sd 10: SE 0.07.
    expect(Math.abs(mean(draws(new Random(3), n, (r) => r.exponential(10))) - 10)).toBeLessThan(0.3);
  });

  it('draws categories in proportion to their weights', () => {
    const random = new Random(4);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < n; i++) counts[random.categorical(['a', 'b', 'c'] as const, [1, 2, 7])] += 1;
    // Expected shares 0.1, 0.2, 0.7; SE of a share <= 0.0035.
    expect(counts.a / n).toBeCloseTo(0.1, 1);
    expect(counts.b / n).toBeCloseTo(0.2, 1);
    expect(counts.c / n).toBeCloseTo(0.7, 1);
    expect(() => random.categorical(['a'], [1, 2])).toThrow(RangeError);
  });

  it('makes version-4 UUIDs', () => {
    expect(new Random(5).uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('blends weights linearly', () => {
    expect(blendWeights([1, 0], [0, 1], 0.25)).toEqual([0.75, 0.25]);
  });
});
