import { hash32, linearQuantile, poissonOne, REPLICATE_STEP, rowKey } from './comparison/poissonBootstrap';

/** Replicates of the ECE's bootstrap: each row costs one hash per replicate. */
export const CALIBRATION_REPLICATES = 200;
export const CALIBRATION_BOOTSTRAP_SEED = 20240601;
/**
 * File rows below this index draw their own Poisson weights (200 hashes a row, about 1.5 us);
 * the rows after it enter the replicates through their bins' sums alone (see replicateEces).
 */
export const CALIBRATION_EXACT_ROWS = 20_000;

/** A CalibrationBootstrapState as plain data, what crosses to another thread. */
export interface CalibrationBootstrapData {
  readonly replicates: number;
  readonly seed: number;
  readonly binCount: number;
  /** Per replicate, the sum of the rows' weights (integers, exact). */
  readonly weightSums: Float64Array;
  /** Per replicate and bin (r x binCount + b): sum of w (correct - confidence), with its Neumaier compensation. */
  readonly gapSums: Float64Array;
  readonly gapCompensations: Float64Array;
  /** Rows below this index have their own weights; the rest are summed by bin. */
  readonly exactRows: number;
  /** Per bin, over the rows past exactRows: their count, sum of gaps and sum of squared gaps (value, compensation pairs). */
  readonly tailCounts: Float64Array;
  readonly tailGaps: Float64Array;
  readonly tailSquares: Float64Array;
}

/**
 * The Poisson bootstrap of the expected calibration error, streaming and mergeable: row i weighs
 * Poisson(1) in each replicate, drawn from (seed, row, replicate) alone (poissonBootstrap.ts), so
 * any split of the rows into blocks or threads gives the same replicates. A replicate's ECE is
 * sum_b (W_b / W) |acc_b - conf_b| = sum_b |sum_{i in b} w_i (correct_i - conf_i)| / W: one
 * weighted sum per bin is all it needs.
 *
 * Rows from exactRows on cost no hash: in a replicate, a bin's sum over them of w (g, 1), with
 * w ~ Poisson(1) independent, has mean (S, m), variances Q and m, and covariance S (S = sum g,
 * Q = sum g^2, m rows), and by the central limit theorem is that bivariate normal; it is drawn
 * once per replicate and bin from the same counter-based hash. A bin with few such rows is
 * approximated coarsely, but its share of the ECE is at most its rows over the exactRows before.
 */
export class CalibrationBootstrapState implements CalibrationBootstrapData {
  readonly weightSums: Float64Array;
  readonly gapSums: Float64Array;
  readonly gapCompensations: Float64Array;
  readonly tailCounts: Float64Array;
  readonly tailGaps: Float64Array;
  readonly tailSquares: Float64Array;

  constructor(
    readonly binCount: number,
    readonly replicates = CALIBRATION_REPLICATES,
    readonly seed = CALIBRATION_BOOTSTRAP_SEED,
    readonly exactRows = CALIBRATION_EXACT_ROWS,
  ) {
    if (!Number.isInteger(replicates) || replicates < 0 || replicates > 100_000)
      throw new RangeError(`replicates must be an integer in [0, 100000], got ${replicates}`);
    if (!Number.isInteger(exactRows) || exactRows < 0) throw new RangeError(`exactRows must be a non-negative integer, got ${exactRows}`);
    this.tailCounts = new Float64Array(binCount);
    this.tailGaps = new Float64Array(2 * binCount);
    this.tailSquares = new Float64Array(2 * binCount);
    this.weightSums = new Float64Array(replicates);
    this.gapSums = new Float64Array(replicates * binCount);
    this.gapCompensations = new Float64Array(replicates * binCount);
  }

  /** Adds file row `row` (which keys its weights) in bin `bin`, with its top-class confidence and whether that class was right. */
  add(row: number, bin: number, confidence: number, correct: boolean): void {
    const gap = (correct ? 1 : 0) - confidence;
    if (row >= this.exactRows) {
      this.tailCounts[bin]!++;
      neumaierAdd(this.tailGaps, this.tailGaps, 2 * bin, gap, 2 * bin + 1);
      neumaierAdd(this.tailSquares, this.tailSquares, 2 * bin, gap * gap, 2 * bin + 1);
      return;
    }
    weighRow(this, row, bin, gap);
  }

  /**
   * The first n rows of a block whose row i is file row firstRow + i, each as its bin code
   * (bin x 2, plus 1 when its top class was right; -1: ignored, left out) and its top-class
   * probability: what add() makes of each, in the same order, with the rows past exactRows in
   * one loop over local arrays (no call, no hash: most rows of a large file take only that loop).
   */
  addRows(firstRow: number, binCodes: Int16Array, confidence: Float64Array, n: number): void {
    const exactEnd = Math.max(0, Math.min(n, this.exactRows - firstRow));
    if (exactEnd > 0) addExactRows(this, firstRow, binCodes, confidence, exactEnd);
    addTailRows(binCodes, confidence, exactEnd, n, this.tailCounts, this.tailGaps, this.tailSquares);
  }

  merge(other: CalibrationBootstrapData): void {
    if (other.replicates !== this.replicates || other.seed !== this.seed || other.binCount !== this.binCount || other.exactRows !== this.exactRows)
      throw new Error('cannot merge calibration bootstraps with different replicates, seeds, bins or exact rows');
    for (let b = 0; b < this.binCount; b++) {
      this.tailCounts[b]! += other.tailCounts[b]!;
      for (const [mine, theirs] of [[this.tailGaps, other.tailGaps] as const, [this.tailSquares, other.tailSquares] as const]) {
        neumaierAdd(mine, mine, 2 * b, theirs[2 * b]!, 2 * b + 1);
        neumaierAdd(mine, mine, 2 * b, theirs[2 * b + 1]!, 2 * b + 1);
      }
    }
    for (let r = 0; r < this.replicates; r++) this.weightSums[r] += other.weightSums[r]!;
    for (let i = 0; i < this.gapSums.length; i++) {
      neumaierAdd(this.gapSums, this.gapCompensations, i, other.gapSums[i]!, i);
      neumaierAdd(this.gapSums, this.gapCompensations, i, other.gapCompensations[i]!, i);
    }
  }

  /** Each replicate's ECE; replicates that drew no row are left out. */
  replicateEces(): Float64Array {
    const eces: number[] = [];
    const bins = this.binCount;
    const tail = Array.from({ length: bins }, (_, b) => {
      const m = this.tailCounts[b]!;
      const s = this.tailGaps[2 * b]! + this.tailGaps[2 * b + 1]!;
      const q = this.tailSquares[2 * b]! + this.tailSquares[2 * b + 1]!;
      // Var(T | W) = Q - S^2 / m, never negative in exact arithmetic.
      return m === 0 ? undefined : { m, s, sdW: Math.sqrt(m), slope: s / Math.sqrt(m), sdRest: Math.sqrt(Math.max(0, q - (s * s) / m)) };
    });
    const normals = new Float64Array(2);
    for (let r = 0; r < this.replicates; r++) {
      let weight = this.weightSums[r]!;
      let sum = 0;
      for (let b = 0, at = r * bins; b < bins; b++, at++) {
        let gap = this.gapSums[at]! + this.gapCompensations[at]!;
        const t = tail[b];
        if (t) {
          standardNormals(this.seed, r * bins + b, normals);
          weight += t.m + t.sdW * normals[0]!;
          gap += t.s + t.slope * normals[0]! + t.sdRest * normals[1]!;
        }
        sum += Math.abs(gap);
      }
      if (!(weight > 0)) continue;
      eces.push(sum / weight);
    }
    return Float64Array.from(eces);
  }

  /** The 2.5th and 97.5th percentiles of the replicates' ECEs (numpy.percentile's linear rule). */
  interval(): { readonly lower: number; readonly upper: number } {
    const sorted = this.replicateEces().sort();
    return { lower: linearQuantile(sorted, 0.025), upper: linearQuantile(sorted, 0.975) };
  }
}

/** CalibrationBootstrapState.addRows' rows [0, to), all below exactRows: add() for each, from their bin codes. */
function addExactRows(state: CalibrationBootstrapState, firstRow: number, binCodes: Int16Array, confidence: Float64Array, to: number): void {
  for (let i = 0; i < to; i++) {
    const code = binCodes[i]!;
    if (code < 0) continue;
    weighRow(state, firstRow + i, code >> 1, (code & 1) - confidence[i]!);
  }
}

/** Row `row`'s Poisson weight in each replicate, added to the replicate's weight and to its bin's sum of weighted gaps. */
function weighRow(state: CalibrationBootstrapState, row: number, bin: number, gap: number): void {
  const { weightSums, gapSums, gapCompensations, binCount, replicates } = state;
  let key = rowKey(state.seed, row);
  for (let r = 0, at = bin; r < replicates; r++, at += binCount, key = (key + REPLICATE_STEP) >>> 0) {
    const w = poissonOne(hash32(key));
    weightSums[r] += w;
    // Knuth's TwoSum, inline and branch-free (a weight of 0 adds nothing): this loop runs replicates x rows times.
    const sum = gapSums[at]!;
    const value = w * gap;
    const total = sum + value;
    const virtual = total - sum;
    gapCompensations[at] += sum - (total - virtual) + (value - virtual);
    gapSums[at] = total;
  }
}

/**
 * CalibrationBootstrapState.addRows' rows [from, to), all past exactRows: their bins' tail count,
 * sum of gaps and sum of squared gaps. Nothing follows the loop (see scoreRowsInto in rowScores.ts).
 */
function addTailRows(
  binCodes: Int16Array,
  confidence: Float64Array,
  from: number,
  to: number,
  counts: Float64Array,
  gaps: Float64Array,
  squares: Float64Array,
): void {
  for (let i = from; i < to; i++) {
    const code = binCodes[i]!;
    if (code < 0) continue;
    const bin = code >> 1;
    const gap = (code & 1) - confidence[i]!;
    const at = 2 * bin;
    counts[bin]!++;
    // neumaierAdd, inline, for the gap and its square.
    let sum = gaps[at]!;
    let total = sum + gap;
    gaps[at + 1] += Math.abs(sum) >= Math.abs(gap) ? sum - total + gap : gap - total + sum;
    gaps[at] = total;
    const square = gap * gap;
    sum = squares[at]!;
    total = sum + square;
    squares[at + 1] += Math.abs(sum) >= Math.abs(square) ? sum - total + square : square - total + sum;
    squares[at] = total;
  }
}

function neumaierAdd(sums: Float64Array, compensations: Float64Array, i: number, value: number, j: number): void {
  const sum = sums[i]!;
  const total = sum + value;
  if (Math.abs(sum) >= Math.abs(value)) compensations[j] += sum - total + value;
  else compensations[j] += value - total + sum;
  sums[i] = total;
}

const TWO_POW_32 = 4294967296;
/** Separates the normals' keys from the rows' (rowKey hashes seed ^ golden ratio). */
const NORMAL_SALT = 0x85ebca6b;

/**
 * Two independent standard normals for draw `index` (replicate x bins + bin) by Box-Muller, from
 * two 32-bit hashes of (seed, index): the same for any split of the rows, and repeated by
 * test/fixtures/gen/gen_uncertainty.py.
 */
function standardNormals(seed: number, index: number, out: Float64Array): void {
  const key = hash32((hash32((seed ^ NORMAL_SALT) >>> 0) ^ index) >>> 0);
  const u1 = (hash32(key) + 0.5) / TWO_POW_32;
  const u2 = (hash32((key + REPLICATE_STEP) >>> 0) + 0.5) / TWO_POW_32;
  const radius = Math.sqrt(-2 * Math.log(u1));
  out[0] = radius * Math.cos(2 * Math.PI * u2);
  out[1] = radius * Math.sin(2 * Math.PI * u2);
}
