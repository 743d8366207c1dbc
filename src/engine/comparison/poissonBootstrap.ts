/**
 * The Poisson bootstrap's weights: row i of replicate r weighs Poisson(1), drawn from a
 * counter-based generator keyed by (seed, row, replicate) rather than a sequence, so any split of
 * the rows into blocks or threads draws the same weights as one pass. The generator is 32-bit
 * integer arithmetic (no BigInt, fast in V8) and is repeated exactly by
 * test/fixtures/gen/gen_compare.py.
 */

/** Chris Wellons' lowbias32 integer hash: a bijection on 32 bits with a strong avalanche. */
export function hash32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

const GOLDEN = 0x9e3779b9;
const TWO_POW_32 = 4294967296;

/** The part of the key that depends on the seed and row alone, hashed once per row. */
export function rowKey(seed: number, row: number): number {
  const high = Math.floor(row / TWO_POW_32);
  const low = row - high * TWO_POW_32;
  let key = hash32((seed ^ GOLDEN) >>> 0);
  key = hash32((key ^ high) >>> 0);
  return hash32((key ^ low) >>> 0);
}

/** e^-1, written out so Python's literal is the same double. */
const E_INV = 0.36787944117144233;
/** P(Poisson(1) > 20) is about 1e-20: far below one draw in 2^32, so the search stops there. */
const MAX_WEIGHT = 20;

/** Poisson(1) by inversion of a uniform u in [0, 1). */
export function poissonOne(u: number): number {
  let k = 0;
  let p = E_INV;
  let cdf = p;
  while (u >= cdf && k < MAX_WEIGHT) {
    k++;
    p /= k;
    cdf += p;
  }
  return k;
}

/** The weight of the row with key `key` in replicate `replicate`. */
export function bootstrapWeight(key: number, replicate: number): number {
  const u = hash32(hash32((key + Math.imul(replicate, GOLDEN)) >>> 0) ^ replicate) / TWO_POW_32;
  return poissonOne(u);
}

/** The q-quantile (0..1) of sorted values, interpolated linearly as numpy.percentile's default. */
export function linearQuantile(sorted: ArrayLike<number>, q: number): number {
  const m = sorted.length;
  if (m === 0) return Number.NaN;
  const position = q * (m - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, m - 1);
  const t = position - below;
  const a = sorted[below]!;
  const b = sorted[above]!;
  const d = b - a;
  // numpy's _lerp: from the nearer end, so the quantile is monotone in q.
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}
