import { mulberry32 } from '../random';

/**
 * The two draws River 0.26's generators make from Python's `random.Random`: `random()` in
 * [0, 1) and `randint(a, b)` (both ends included). Each generator takes one, so a test can
 * replay the very draws River made (the generators are then pinned to River's output) and
 * the bench draws from a seeded mulberry32.
 */
export interface StreamRandom {
  random(): number;
  randint(a: number, b: number): number;
}

export function seededRandom(seed: number): StreamRandom {
  const u = mulberry32(seed);
  return { random: u, randint: (a, b) => a + Math.floor(u() * (b - a + 1)) };
}
