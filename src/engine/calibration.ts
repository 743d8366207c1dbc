import { CalibrationBootstrapState, CALIBRATION_REPLICATES, type CalibrationBootstrapData } from './calibrationBootstrap';
import type { PredictionKind } from './categorical';
import { addCompensatedAt, CompensatedSum, type CompensatedSumData } from './compensatedSum';
import type { LabelledRows, StreamingState } from './reduction';
import { scoreRows, typedValues, type RowScores } from './rowScores';
import { calibrationNoiseFloor } from './uncertainty';

export interface ReliabilityBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** NaN for an empty bin. */
  readonly meanConfidence: number;
  readonly accuracy: number;
}

export interface ReliabilityTable {
  readonly bins: readonly ReliabilityBin[];
  /** sum_b (n_b / n) |accuracy_b - confidence_b|. */
  readonly ece: number;
  /** max_b |accuracy_b - confidence_b| over non-empty bins. */
  readonly mce: number;
  readonly accuracy: number;
  readonly count: number;
  /** The 2.5th and 97.5th percentiles of the ECE over the Poisson bootstrap's replicates. */
  readonly eceInterval: {
    readonly lower: number;
    readonly upper: number;
    readonly replicates: number;
    readonly seed: number;
    /** Rows past this many were drawn through their bins' sums (normal approximation); Infinity when none. */
    readonly exactRows: number;
  };
  /** The ECE a perfectly calibrated model would show by chance with these bins (calibrationNoiseFloor). */
  readonly eceNoiseFloor: number;
}

/** A ReliabilityState's bins as plain data (see CompensatedSumData). */
export interface ReliabilityData {
  readonly counts: readonly number[];
  readonly confidence: readonly CompensatedSumData[];
  readonly correct: readonly number[];
  /** Absent from a block reduced without one (replicates 0). */
  readonly bootstrap?: CalibrationBootstrapData;
}

/** torchmetrics' default bin count for calibration error. */
export const DEFAULT_CALIBRATION_BINS = 15;
/** The most bins a reliability table has: each row's bin code must fit an Int16Array. */
export const MAX_CALIBRATION_BINS = 16_383;

/**
 * Reliability (calibration) table of a classifier, defined as torchmetrics'
 * `MulticlassCalibrationError(norm='l1')` defines it: confidence = the top-label probability
 * max_c q_c, correct = (argmax_c q_c == y), M equal-width bins of [0, 1], and
 * ECE = sum_b (n_b / n) |acc_b - conf_b|. Bin b holds confidences in [b/M, (b+1)/M), with 1.0
 * in the last bin. scikit-learn has no ECE; its `calibration_curve` is the binary
 * positive-class version of the same table (and drops empty bins).
 * Logits go through softmax; probabilities are used as given.
 */
export class ReliabilityState implements StreamingState<LabelledRows, ReliabilityData>, ReliabilityData {
  readonly counts: number[];
  readonly confidence: CompensatedSum[];
  readonly correct: number[];
  /** The ECE's Poisson bootstrap; none with 0 replicates. */
  readonly bootstrap: CalibrationBootstrapState | undefined;

  constructor(
    readonly k: number,
    readonly kind: PredictionKind,
    readonly binCount = DEFAULT_CALIBRATION_BINS,
    replicates = CALIBRATION_REPLICATES,
  ) {
    // A row's bin code (bin x 2 + 1) is kept in 16 bits.
    if (!Number.isInteger(binCount) || binCount < 1 || binCount > MAX_CALIBRATION_BINS)
      throw new RangeError(`binCount must be an integer in [1, ${MAX_CALIBRATION_BINS}], got ${binCount}`);
    this.bootstrap = replicates > 0 ? new CalibrationBootstrapState(binCount, replicates) : undefined;
    this.counts = new Array<number>(binCount).fill(0);
    this.correct = new Array<number>(binCount).fill(0);
    this.confidence = Array.from({ length: binCount }, () => new CompensatedSum());
  }

  consume(chunk: LabelledRows): void {
    const { labels, scores } = chunk;
    // No label is NaN, so no row is ignored: every label must be a class index.
    this.consumeScores(
      labels,
      scoreRows(labels, typedValues(scores.values), scores.n, this.k, chunk.firstRow ?? 0, { kind: this.kind, ignoreIndex: Number.NaN }),
      chunk.firstRow ?? 0,
    );
  }

  /**
   * Adds rows already scored, the first being file row `firstRow` (which keys its bootstrap
   * weights); rows scored as ignored (predicted -1) are left out. Returns each row's bin code
   * (bin x 2, plus 1 when its top class was right; -1 for an ignored row), what bootstrapRows
   * reads of a block reduced without a bootstrap.
   */
  consumeScores(labels: ArrayLike<number>, scored: RowScores, firstRow: number): Int16Array {
    const { confidence, predicted, n } = scored;
    const bins = this.binCount;
    // The bins' counts and compensated sums in typed arrays for binRows' loop, written back
    // after it: the same additions in the same order.
    const counts = Float64Array.from(this.counts);
    const correct = Float64Array.from(this.correct);
    const sums = Float64Array.from(this.confidence, (s) => s.sum);
    const compensations = Float64Array.from(this.confidence, (s) => s.compensation);
    const binCodes = new Int16Array(n);
    binRows(labels, predicted, confidence, n, bins, counts, correct, sums, compensations, binCodes);
    for (let b = 0; b < bins; b++) {
      this.counts[b] = counts[b]!;
      this.correct[b] = correct[b]!;
      this.confidence[b]!.sum = sums[b]!;
      this.confidence[b]!.compensation = compensations[b]!;
    }
    this.bootstrap?.addRows(firstRow, binCodes, confidence, n);
    return binCodes;
  }

  merge(other: ReliabilityData): void {
    for (let b = 0; b < this.binCount; b++) {
      this.counts[b]! += other.counts[b]!;
      this.correct[b]! += other.correct[b]!;
      this.confidence[b]!.merge(other.confidence[b]!);
    }
    if (this.bootstrap && other.bootstrap) this.bootstrap.merge(other.bootstrap);
  }

  /**
   * Adds to the bootstrap alone rows whose bins and counts were merged from a block reduced
   * without one (by a state with these bins): file rows firstRow.., with the bin codes that
   * consumeScores returned there and their top-class probabilities.
   */
  bootstrapRows(firstRow: number, binCodes: Int16Array, confidence: Float64Array): void {
    this.bootstrap?.addRows(firstRow, binCodes, confidence, binCodes.length);
  }

  table(): ReliabilityTable {
    const count = this.counts.reduce((a, b) => a + b, 0);
    const ece = new CompensatedSum();
    let mce = 0;
    let correct = 0;
    const bins = this.counts.map((n, b) => {
      const meanConfidence = n === 0 ? Number.NaN : this.confidence[b]!.value / n;
      const accuracy = n === 0 ? Number.NaN : this.correct[b]! / n;
      correct += this.correct[b]!;
      if (n > 0) {
        const gap = Math.abs(accuracy - meanConfidence);
        ece.add((n / count) * gap);
        mce = Math.max(mce, gap);
      }
      return { lower: b / this.binCount, upper: (b + 1) / this.binCount, count: n, meanConfidence, accuracy };
    });
    const replicates = this.bootstrap?.replicates ?? 0;
    const seed = this.bootstrap?.seed ?? 0;
    const exactRows = this.bootstrap && this.bootstrap.tailCounts.some((m) => m > 0) ? this.bootstrap.exactRows : Number.POSITIVE_INFINITY;
    const interval = this.bootstrap ? this.bootstrap.interval() : { lower: Number.NaN, upper: Number.NaN };
    return {
      bins,
      ece: ece.value,
      mce,
      accuracy: correct / count,
      count,
      eceInterval: { ...interval, replicates, seed, exactRows },
      eceNoiseFloor: calibrationNoiseFloor(bins),
    };
  }
}

/**
 * ReliabilityState.consumeScores' loop: the first n rows into their bins' counts, right counts
 * and compensated confidence sums, and each row's bin code. Nothing follows the loop (see
 * scoreRowsInto in rowScores.ts).
 */
function binRows(
  labels: ArrayLike<number>,
  predicted: Int32Array,
  confidence: Float64Array,
  n: number,
  bins: number,
  counts: Float64Array,
  correct: Float64Array,
  sums: Float64Array,
  compensations: Float64Array,
  binCodes: Int16Array,
): void {
  for (let i = 0; i < n; i++) {
    const top = predicted[i]!;
    if (top < 0) {
      binCodes[i] = -1;
      continue;
    }
    const c = confidence[i]!;
    const bin = Math.min(bins - 1, Math.floor(c * bins));
    counts[bin]!++;
    const right = top === labels[i] ? 1 : 0;
    correct[bin] += right;
    binCodes[i] = 2 * bin + right;
    addCompensatedAt(sums, compensations, bin, c);
  }
}

export function reliabilityTable(labels: ArrayLike<number>, scores: LabelledRows['scores'], kind: PredictionKind, binCount?: number): ReliabilityTable {
  const state = new ReliabilityState(scores.k, kind, binCount);
  state.consume({ labels, scores });
  return state.table();
}
