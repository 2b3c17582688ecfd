/**
 * The array kernels behind NumericSummary's flushes: merging sorted (value, weight)
 * points, compressing them to a capacity, the grid cell of a value, reusable scratch
 * arrays, and the open-addressing hash table of the exact path. No state but the
 * scratch buffers and tables, which are reused across summaries (one thread).
 */

export function mergeSortedPoints(av: Float64Array, aw: Float64Array, bv: Float64Array, bw: Float64Array): { values: Float64Array; weights: Float64Array } {
  const values = new Float64Array(av.length + bv.length);
  const weights = new Float64Array(av.length + bv.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < av.length || j < bv.length) {
    let v: number;
    let w: number;
    if (j >= bv.length || (i < av.length && av[i] < bv[j])) {
      v = av[i];
      w = aw[i++];
    } else if (i >= av.length || bv[j] < av[i]) {
      v = bv[j];
      w = bw[j++];
    } else {
      v = av[i];
      w = aw[i++] + bw[j++];
    }
    values[k] = v;
    weights[k++] = w;
  }
  return { values: values.slice(0, k), weights: weights.slice(0, k) };
}

/**
 * Weight-balanced compression: consecutive points are grouped while a group's
 * weight stays ≤ total/capacity; a group becomes one point at its weighted mean.
 * A single heavy value (a tie run) is never split, so point masses survive.
 */
export function compress(values: Float64Array, weights: Float64Array, capacity: number): { values: Float64Array; weights: Float64Array } {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  const target = total / capacity;
  const outV = scratchFloat(4, values.length);
  const outW = scratchFloat(5, values.length);
  let k = 0;
  let gw = 0;
  let gwx = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights[i];
    if (gw > 0 && gw + w > target) {
      outV[k] = gwx / gw;
      outW[k++] = gw;
      gw = 0;
      gwx = 0;
    }
    gw += w;
    gwx += w * values[i];
  }
  if (gw > 0) {
    outV[k] = gwx / gw;
    outW[k++] = gw;
  }
  return { values: outV.slice(0, k), weights: outW.slice(0, k) };
}

export function cellIndex(x: number, lo: number, scale: number, last: number): number {
  if (x < lo) return 0;
  const d = (x - lo) * scale;
  return d >= last ? last : d | 0;
}

// Scratch arrays shared by every summary (flushes are synchronous), so a flush
// allocates only its results.
const scratchF: Float64Array[] = [];
const scratchI: Int32Array[] = [];
export function scratchFloat(slot: number, n: number): Float64Array {
  if (!scratchF[slot] || scratchF[slot].length < n) scratchF[slot] = new Float64Array(Math.max(n, 1024));
  return scratchF[slot];
}
export function scratchInt(slot: number, n: number): Int32Array {
  if (!scratchI[slot] || scratchI[slot].length < n) scratchI[slot] = new Int32Array(Math.max(n, 1024));
  return scratchI[slot];
}

const hashF64 = new Float64Array(1);
const hashU32 = new Uint32Array(hashF64.buffer);
export function hashOf(x: number): number {
  hashF64[0] = x;
  const h = Math.imul(hashU32[0] ^ Math.imul(hashU32[1], 0x9e3779b1), 0x85ebca6b);
  return h ^ (h >>> 15);
}

export interface HashTable {
  keys: Float64Array;
  counts: Float64Array;
  /** A slot is in use when its stamp equals the current flush's: no clearing between flushes. */
  stamps: Int32Array;
  nextStamp(): number;
}
const hashTables = new Map<number, HashTable>();
/** A power of two ≥ 4 × (capacity + 1): probes stay short at ≤ 25 % load. */
export function tableSize(capacity: number): number {
  let size = 1;
  while (size < 4 * (capacity + 1)) size *= 2;
  return size;
}
export function hashTable(size: number): HashTable {
  let t = hashTables.get(size);
  if (!t) {
    let stamp = 0;
    const table: HashTable = {
      keys: new Float64Array(size),
      counts: new Float64Array(size),
      stamps: new Int32Array(size),
      nextStamp: () => {
        if (++stamp === 0x7fffffff) {
          table.stamps.fill(0);
          stamp = 1;
        }
        return stamp;
      },
    };
    t = table;
    hashTables.set(size, t);
  }
  return t;
}
export function lookup(t: HashTable, x: number, mask: number, stamp: number): number {
  let h = hashOf(x) & mask;
  while (t.stamps[h] === stamp && t.keys[h] !== x) h = (h + 1) & mask;
  return h;
}
