import { hash32, linearQuantile, poissonOne, REPLICATE_STEP, rowKey } from './comparison/poissonBootstrap';

/** Replicates of the ECE's bootstrap: each row costs one hash per replicate. */
export const CALIBRATION_REPLICATES = 200;
export const CALIBRATION_BOOTSTRAP_SEED = 20240601;

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
}

/**
 * The Poisson bootstrap of the expected calibration error, streaming and mergeable: row i weighs
 * Poisson(1) in each replicate, drawn from (seed, row, replicate) alone (poissonBootstrap.ts), so
 * any split of the rows into blocks or threads gives the same replicates. A replicate's ECE is
 * sum_b (W_b / W) |acc_b - conf_b| = sum_b |sum_{i in b} w_i (correct_i - conf_i)| / W: one
 * weighted sum per bin is all it needs.
 */
export class CalibrationBootstrapState implements CalibrationBootstrapData {
  readonly weightSums: Float64Array;
  readonly gapSums: Float64Array;
  readonly gapCompensations: Float64Array;

  constructor(
    readonly binCount: number,
    readonly replicates = CALIBRATION_REPLICATES,
    readonly seed = CALIBRATION_BOOTSTRAP_SEED,
  ) {
    if (!Number.isInteger(replicates) || replicates < 0 || replicates > 100_000)
      throw new RangeError(`replicates must be an integer in [0, 100000], got ${replicates}`);
    this.weightSums = new Float64Array(replicates);
    this.gapSums = new Float64Array(replicates * binCount);
    this.gapCompensations = new Float64Array(replicates * binCount);
  }

  /** Adds file row `row` (which keys its weights) in bin `bin`, with its top-class confidence and whether that class was right. */
  add(row: number, bin: number, confidence: number, correct: boolean): void {
    const gap = (correct ? 1 : 0) - confidence;
    const { weightSums, gapSums, gapCompensations, binCount } = this;
    let state = rowKey(this.seed, row);
    for (let r = 0, at = bin; r < this.replicates; r++, at += binCount, state = (state + REPLICATE_STEP) >>> 0) {
      const w = poissonOne(hash32(state));
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

  merge(other: CalibrationBootstrapData): void {
    if (other.replicates !== this.replicates || other.seed !== this.seed || other.binCount !== this.binCount)
      throw new Error('cannot merge calibration bootstraps with different replicates, seeds or bins');
    for (let r = 0; r < this.replicates; r++) this.weightSums[r] += other.weightSums[r]!;
    for (let i = 0; i < this.gapSums.length; i++) {
      neumaierAdd(this.gapSums, this.gapCompensations, i, other.gapSums[i]!);
      neumaierAdd(this.gapSums, this.gapCompensations, i, other.gapCompensations[i]!);
    }
  }

  /** Each replicate's ECE; replicates that drew no row are left out. */
  replicateEces(): Float64Array {
    const eces: number[] = [];
    for (let r = 0; r < this.replicates; r++) {
      const weight = this.weightSums[r]!;
      if (weight === 0) continue;
      let sum = 0;
      for (let b = 0, at = r * this.binCount; b < this.binCount; b++, at++) sum += Math.abs(this.gapSums[at]! + this.gapCompensations[at]!);
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

function neumaierAdd(sums: Float64Array, compensations: Float64Array, i: number, value: number): void {
  const sum = sums[i]!;
  const total = sum + value;
  if (Math.abs(sum) >= Math.abs(value)) compensations[i] += sum - total + value;
  else compensations[i] += value - total + sum;
  sums[i] = total;
}
