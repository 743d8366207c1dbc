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

/**
 * Poisson(1) by inversion of u = h / 2^32: the weight is the number of leading k with
 * u >= P(X <= k). Since h is an integer and cdf x 2^32 is exact, u >= cdf is h >= ceil(cdf x 2^32),
 * so the draw compares integers (the same answer, no division).
 */
const THRESHOLDS = (() => {
  const thresholds = new Float64Array(MAX_WEIGHT);
  let p = E_INV;
  let cdf = p;
  for (let k = 0; k < MAX_WEIGHT; k++) {
    thresholds[k] = Math.ceil(cdf * TWO_POW_32);
    p /= k + 1;
    cdf += p;
  }
  return thresholds;
})();

/** Poisson(1) of h by comparing it with every threshold: the definition. */
function poissonSearch(h: number): number {
  let k = 0;
  while (k < MAX_WEIGHT && h >= THRESHOLDS[k]!) k++;
  return k;
}

const STRADDLES = 255;
/**
 * The weight for each value of h's top 16 bits, or STRADDLES for the few (at most 20) of the
 * 65,536 ranges a threshold falls inside: a table look-up instead of a loop that exits at a
 * random k (a mispredicted branch costs more than the hash).
 */
const BY_TOP_BITS = (() => {
  const table = new Uint8Array(1 << 16);
  for (let top = 0; top < 1 << 16; top++) {
    const first = top * 65536;
    const low = poissonSearch(first);
    table[top] = low === poissonSearch(first + 65535) ? low : STRADDLES;
  }
  return table;
})();

/** Poisson(1) from a 32-bit hash h (a uniform h / 2^32). */
export function poissonOne(h: number): number {
  const k = BY_TOP_BITS[h >>> 16]!;
  return k === STRADDLES ? poissonSearch(h) : k;
}

/** The generator's state for a row's replicate r: key + r x golden ratio (a Weyl sequence, as splitmix's), hashed. */
export const REPLICATE_STEP = GOLDEN;

/** The weight of the row with key `key` in replicate `replicate`. */
export function bootstrapWeight(key: number, replicate: number): number {
  return poissonOne(hash32((key + Math.imul(replicate, GOLDEN)) >>> 0));
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
