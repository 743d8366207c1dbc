import { MeanVarianceState } from '../meanVariance';
import { mcnemarExact, type McNemarTest } from './mcnemar';
import { hash32, linearQuantile, poissonOne, REPLICATE_STEP, rowKey } from './poissonBootstrap';
import { TopRows, type RowDifference } from './topRows';
import { Z_95 } from '../uncertainty';

export { Z_95 };
export const DEFAULT_REPLICATES = 1000;
export const DEFAULT_BOOTSTRAP_SEED = 20240601;
export const DEFAULT_TOP_ROWS = 10;
/** Rows named for each direction of a flip in correctness. */
export const FLIPPED_ROWS_NAMED = 10;

export interface PairedComparisonOptions {
  /** Poisson bootstrap replicates; 0 for none. */
  readonly replicates?: number;
  readonly seed?: number;
  /** Rows named with the largest differences each way. */
  readonly topRows?: number;
}

export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

/**
 * Model A against model B on the same rows. The sign convention: every difference is A minus B
 * in loss (nats), so a negative crossEntropyDifference means A has the lower cross-entropy, and
 * logLikelihoodRatio = log L_A - log L_B = -n x crossEntropyDifference is positive when A
 * explains the rows better.
 */
export interface PairedComparisonResult {
  readonly n: number;
  readonly crossEntropyA: number;
  readonly crossEntropyB: number;
  readonly crossEntropyStdErrorA: number;
  readonly crossEntropyStdErrorB: number;
  readonly crossEntropyDifference: number;
  readonly logLikelihoodRatio: number;
  /** std(lossA - lossB, ddof 1) / sqrt n. */
  readonly differenceStdError: number;
  /** crossEntropyDifference +- 1.959964 x differenceStdError. */
  readonly normalInterval95: Interval;
  /** The 2.5th and 97.5th percentiles of the mean difference over the Poisson bootstrap's replicates. */
  readonly bootstrapInterval95: Interval & { readonly replicates: number; readonly seed: number };
  /** Rows where A's loss is lower, where B's is, and where they are equal. */
  readonly winsA: number;
  readonly winsB: number;
  readonly ties: number;
  /** Classifiers: correctness of each model's top class, the rows that flipped, and McNemar's exact test. */
  readonly correctness?: {
    readonly accuracyA: number;
    readonly accuracyB: number;
    readonly bothRight: number;
    readonly bothWrong: number;
    /** The first rows A got right and B wrong, and the reverse. */
    readonly aRightBWrongRows: readonly number[];
    readonly aWrongBRightRows: readonly number[];
    readonly mcnemar: McNemarTest;
  };
  /** The rows where A's loss exceeds B's most, and where B's exceeds A's most. */
  readonly largestDifferences: { readonly aWorse: readonly RowDifference[]; readonly bWorse: readonly RowDifference[] };
}

/**
 * The paired comparison as a mergeable streaming state: add rows in any blocks, merge blocks in
 * any order (the bootstrap's weights depend on the row index alone), then result().
 */
export class PairedComparisonState {
  readonly replicates: number;
  readonly seed: number;
  readonly a = new MeanVarianceState();
  readonly b = new MeanVarianceState();
  readonly difference = new MeanVarianceState();
  /** Per replicate: the sum of weights (integers, exact) and the weighted sum of differences, compensated (Neumaier). */
  readonly weightSums: Float64Array;
  readonly weightedSums: Float64Array;
  readonly weightedCompensations: Float64Array;
  winsA = 0;
  winsB = 0;
  ties = 0;
  rowsWithCorrectness = 0;
  rightA = 0;
  rightB = 0;
  bothRight = 0;
  bothWrong = 0;
  aRightBWrong = 0;
  aWrongBRight = 0;
  aRightBWrongRows: number[] = [];
  aWrongBRightRows: number[] = [];
  readonly aWorse: TopRows;
  readonly bWorse: TopRows;

  constructor(options: PairedComparisonOptions = {}) {
    const replicates = options.replicates ?? DEFAULT_REPLICATES;
    if (!Number.isInteger(replicates) || replicates < 0 || replicates > 1e6)
      throw new RangeError(`replicates must be an integer in [0, 1e6], got ${replicates}`);
    this.replicates = replicates;
    this.seed = (options.seed ?? DEFAULT_BOOTSTRAP_SEED) >>> 0;
    this.weightSums = new Float64Array(replicates);
    this.weightedSums = new Float64Array(replicates);
    this.weightedCompensations = new Float64Array(replicates);
    const top = options.topRows ?? DEFAULT_TOP_ROWS;
    this.aWorse = new TopRows(top, (row) => row.difference);
    this.bWorse = new TopRows(top, (row) => -row.difference);
  }

  /** Adds row `row` (its index in the files, which keys its bootstrap weights), with each model's correctness for classifiers. */
  add(row: number, lossA: number, lossB: number, correctA?: boolean, correctB?: boolean): void {
    const d = lossA - lossB;
    this.a.add(lossA);
    this.b.add(lossB);
    this.difference.add(d);
    if (lossA < lossB) this.winsA++;
    else if (lossB < lossA) this.winsB++;
    else this.ties++;
    if (this.aWorse.admits(d) || this.bWorse.admits(-d)) {
      const entry = { row, lossA, lossB, difference: d };
      this.aWorse.push(entry);
      this.bWorse.push(entry);
    }
    if (correctA !== undefined && correctB !== undefined) this.addCorrectness(row, correctA, correctB);
    this.addBootstrap(row, d);
  }

  private addCorrectness(row: number, correctA: boolean, correctB: boolean): void {
    this.rowsWithCorrectness++;
    if (correctA) this.rightA++;
    if (correctB) this.rightB++;
    if (correctA && correctB) this.bothRight++;
    else if (!correctA && !correctB) this.bothWrong++;
    else if (correctA) {
      this.aRightBWrong++;
      if (this.aRightBWrongRows.length < FLIPPED_ROWS_NAMED) this.aRightBWrongRows.push(row);
    } else {
      this.aWrongBRight++;
      if (this.aWrongBRightRows.length < FLIPPED_ROWS_NAMED) this.aWrongBRightRows.push(row);
    }
  }

  private addBootstrap(row: number, d: number): void {
    const { weightSums, weightedSums, weightedCompensations } = this;
    // Replicate r hashes rowKey + r x step: stepping the state is bootstrapWeight(key, r) without a multiply.
    let state = rowKey(this.seed, row);
    for (let r = 0; r < this.replicates; r++, state = (state + REPLICATE_STEP) >>> 0) {
      const w = poissonOne(hash32(state));
      weightSums[r] += w;
      // Knuth's TwoSum, inline and branch-free (a weight of 0 adds nothing): this loop runs replicates x rows times.
      const sum = weightedSums[r]!;
      const value = w * d;
      const total = sum + value;
      const virtual = total - sum;
      weightedCompensations[r] += sum - (total - virtual) + (value - virtual);
      weightedSums[r] = total;
    }
  }

  merge(other: PairedComparisonState): void {
    if (other.replicates !== this.replicates || other.seed !== this.seed) throw new Error('cannot merge bootstraps with different replicates or seeds');
    this.a.merge(other.a);
    this.b.merge(other.b);
    this.difference.merge(other.difference);
    this.winsA += other.winsA;
    this.winsB += other.winsB;
    this.ties += other.ties;
    this.rowsWithCorrectness += other.rowsWithCorrectness;
    this.rightA += other.rightA;
    this.rightB += other.rightB;
    this.bothRight += other.bothRight;
    this.bothWrong += other.bothWrong;
    this.aRightBWrong += other.aRightBWrong;
    this.aWrongBRight += other.aWrongBRight;
    // The named flips stay the first rows whichever block is merged first.
    this.aRightBWrongRows = [...this.aRightBWrongRows, ...other.aRightBWrongRows].sort((x, y) => x - y).slice(0, FLIPPED_ROWS_NAMED);
    this.aWrongBRightRows = [...this.aWrongBRightRows, ...other.aWrongBRightRows].sort((x, y) => x - y).slice(0, FLIPPED_ROWS_NAMED);
    this.aWorse.merge(other.aWorse);
    this.bWorse.merge(other.bWorse);
    for (let r = 0; r < this.replicates; r++) {
      this.weightSums[r] += other.weightSums[r]!;
      neumaierAdd(this.weightedSums, this.weightedCompensations, r, other.weightedSums[r]!);
      neumaierAdd(this.weightedSums, this.weightedCompensations, r, other.weightedCompensations[r]!);
    }
  }

  /** The percentile interval of the replicates' mean differences; replicates that drew no row at all are left out. */
  bootstrapInterval(): Interval {
    const means: number[] = [];
    for (let r = 0; r < this.replicates; r++) {
      const weight = this.weightSums[r]!;
      if (weight > 0) means.push((this.weightedSums[r]! + this.weightedCompensations[r]!) / weight);
    }
    const sorted = Float64Array.from(means).sort();
    return { lower: linearQuantile(sorted, 0.025), upper: linearQuantile(sorted, 0.975) };
  }

  result(): PairedComparisonResult {
    const n = this.difference.count;
    const sumA = this.a.sum.value;
    const sumB = this.b.sum.value;
    const crossEntropyDifference = (sumA - sumB) / n;
    const differenceStdError = this.difference.standardError;
    const c = this.rowsWithCorrectness;
    return {
      n,
      crossEntropyA: sumA / n,
      crossEntropyB: sumB / n,
      crossEntropyStdErrorA: this.a.standardError,
      crossEntropyStdErrorB: this.b.standardError,
      crossEntropyDifference,
      // -(sum A - sum B): the difference of the sums, not n times the rounded mean.
      logLikelihoodRatio: sumB - sumA,
      differenceStdError,
      normalInterval95: { lower: crossEntropyDifference - Z_95 * differenceStdError, upper: crossEntropyDifference + Z_95 * differenceStdError },
      bootstrapInterval95: { ...this.bootstrapInterval(), replicates: this.replicates, seed: this.seed },
      winsA: this.winsA,
      winsB: this.winsB,
      ties: this.ties,
      ...(c > 0
        ? {
            correctness: {
              accuracyA: this.rightA / c,
              accuracyB: this.rightB / c,
              bothRight: this.bothRight,
              bothWrong: this.bothWrong,
              aRightBWrongRows: this.aRightBWrongRows,
              aWrongBRightRows: this.aWrongBRightRows,
              mcnemar: mcnemarExact(this.aRightBWrong, this.aWrongBRight),
            },
          }
        : {}),
      largestDifferences: { aWorse: this.aWorse.rows().filter((row) => row.difference > 0), bWorse: this.bWorse.rows().filter((row) => row.difference < 0) },
    };
  }
}

function neumaierAdd(sums: Float64Array, compensations: Float64Array, i: number, value: number): void {
  const sum = sums[i]!;
  const total = sum + value;
  if (Math.abs(sum) >= Math.abs(value)) compensations[i] += sum - total + value;
  else compensations[i] += value - total + sum;
  sums[i] = total;
}
