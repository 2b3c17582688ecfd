import { mulberry32 } from '@vigil/monitoring';

/**
 * A seeded source of randomness and the samplers the traffic needs. The same seed
 * gives the same sequence on every machine, so a scenario can be replayed exactly.
 * The generator is the engine's mulberry32.
 */
export class Random {
  private readonly uniform: () => number;

  constructor(seed: number) {
    this.uniform = mulberry32(seed);
  }

  /** An independent stream for one name (e.g. a model), so adding a model leaves the others' draws unchanged. */
  static forStream(seed: number, name: string): Random {
    // FNV-1a of the name, mixed into the seed.
    let hash = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) {
      hash ^= name.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return new Random((seed ^ hash) >>> 0);
  }

  /** Uniform on [0, 1). */
  next(): number {
    return this.uniform();
  }

  /** Normal draw by Box–Muller; always consumes two uniforms so sequences stay aligned. */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** exp(N(mu, sigma)): median e^mu, mean e^(mu + sigma²/2). */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  /** Exponential with the given mean, by inversion. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** One of `values`, drawn with probability proportional to `weights`. */
  categorical<T>(values: readonly T[], weights: readonly number[]): T {
    if (values.length === 0 || values.length !== weights.length) {
      throw new RangeError(`categorical needs as many weights as values (${values.length} values, ${weights.length} weights)`);
    }
    const total = weights.reduce((a, b) => a + b, 0);
    let u = this.next() * total;
    for (let i = 0; i < values.length; i++) {
      u -= weights[i];
      if (u < 0) return values[i];
    }
    return values[values.length - 1];
  }

  /** A version-4-shaped UUID from this stream (for reproducible ids in tests). */
  uuid(): string {
    const hex = Array.from({ length: 4 }, () =>
      Math.floor(this.next() * 4294967296)
        .toString(16)
        .padStart(8, '0'),
    ).join('');
    const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

/** Weights moved a share `t` of the way from `from` to `to`. */
export function blendWeights(from: readonly number[], to: readonly number[], t: number): number[] {
  return from.map((w, i) => w + (to[i] - w) * t);
}
