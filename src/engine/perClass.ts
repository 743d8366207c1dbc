import { addCompensatedAt } from './compensatedSum';
import type { RowScores } from './rowScores';
import { proportionStandardError } from './uncertainty';

/** Classes a per-class table is kept for: beyond, its arrays would cost more than the rows' own figures and no table reads well. */
export const MAX_CLASS_TABLE = 256;

/** A PerClassState as plain data, what crosses to another thread. */
export interface PerClassData {
  readonly k: number;
  /** Rows whose label is c. */
  readonly support: Float64Array;
  /** Their -log q(y): the sum (with its Neumaier compensation), and Welford's mean and m2, merged by Chan's formula. */
  readonly lossSum: Float64Array;
  readonly lossCompensation: Float64Array;
  readonly lossMean: Float64Array;
  readonly lossM2: Float64Array;
  /** Rows whose label is c and whose top class is c. */
  readonly correct: Float64Array;
  /** Rows whose top class is c, and the sum of their top-class probability (with its compensation). */
  readonly predicted: Float64Array;
  readonly confidenceSum: Float64Array;
  readonly confidenceCompensation: Float64Array;
}

/** One row of the per-class table. */
export interface ClassFigures {
  readonly label: number;
  readonly support: number;
  /** Mean -log q(y) over the rows labelled c, and its std (ddof 1) / sqrt support. */
  readonly crossEntropy: number;
  readonly crossEntropyStdError: number;
  /** Recall: the share of rows labelled c whose top class is c, with std(correct, ddof 1) / sqrt support. */
  readonly accuracy: number;
  readonly accuracyStdError: number;
  /** Rows predicted c, and |precision - mean confidence| over them: the top-label calibration gap of that class. */
  readonly predicted: number;
  readonly calibrationGap: number;
}

/**
 * Per-class figures of a classifier as a mergeable streaming state: blocks reduced on any thread
 * and merged in any order give what one pass gives (sums exact up to rounding, Welford/Chan for
 * the spread).
 */
export class PerClassState implements PerClassData {
  readonly support: Float64Array;
  readonly lossSum: Float64Array;
  readonly lossCompensation: Float64Array;
  readonly lossMean: Float64Array;
  readonly lossM2: Float64Array;
  readonly correct: Float64Array;
  readonly predicted: Float64Array;
  readonly confidenceSum: Float64Array;
  readonly confidenceCompensation: Float64Array;

  constructor(readonly k: number) {
    this.support = new Float64Array(k);
    this.lossSum = new Float64Array(k);
    this.lossCompensation = new Float64Array(k);
    this.lossMean = new Float64Array(k);
    this.lossM2 = new Float64Array(k);
    this.correct = new Float64Array(k);
    this.predicted = new Float64Array(k);
    this.confidenceSum = new Float64Array(k);
    this.confidenceCompensation = new Float64Array(k);
  }

  /** Adds scored rows; rows scored as ignored (top class -1) are left out. */
  consumeScores(labels: ArrayLike<number>, scored: RowScores): void {
    const { n, nll, predicted, confidence } = scored;
    // The fields in locals: this loop runs once per row of the file.
    const { support, lossSum, lossCompensation, lossMean, lossM2, correct, confidenceSum, confidenceCompensation } = this;
    const predictedCounts = this.predicted;
    for (let i = 0; i < n; i++) {
      const top = predicted[i]!;
      if (top < 0) continue;
      const label = labels[i]!;
      const loss = nll[i]!;
      const count = ++support[label]!;
      addCompensatedAt(lossSum, lossCompensation, label, loss);
      const mean = lossMean[label]!;
      const delta = loss - mean;
      const nextMean = mean + delta / count;
      lossMean[label] = nextMean;
      lossM2[label] += delta * (loss - nextMean);
      if (top === label) correct[label]!++;
      predictedCounts[top]!++;
      addCompensatedAt(confidenceSum, confidenceCompensation, top, confidence[i]!);
    }
  }

  merge(other: PerClassData): void {
    if (other.k !== this.k) throw new Error(`cannot merge per-class figures of ${other.k} classes into ${this.k}`);
    for (let c = 0; c < this.k; c++) {
      const nb = other.support[c]!;
      if (nb > 0) {
        const na = this.support[c]!;
        const n = na + nb;
        const delta = other.lossMean[c]! - this.lossMean[c]!;
        this.lossM2[c] += other.lossM2[c]! + ((delta * delta * na) / n) * nb;
        this.lossMean[c] += (delta * nb) / n;
        this.support[c] = n;
        addCompensatedAt(this.lossSum, this.lossCompensation, c, other.lossSum[c]!);
        addCompensatedAt(this.lossSum, this.lossCompensation, c, other.lossCompensation[c]!);
      }
      this.correct[c] += other.correct[c]!;
      this.predicted[c] += other.predicted[c]!;
      addCompensatedAt(this.confidenceSum, this.confidenceCompensation, c, other.confidenceSum[c]!);
      addCompensatedAt(this.confidenceSum, this.confidenceCompensation, c, other.confidenceCompensation[c]!);
    }
  }

  /** Every class with a label or a prediction, in class order. */
  table(): ClassFigures[] {
    const rows: ClassFigures[] = [];
    for (let c = 0; c < this.k; c++) {
      const support = this.support[c]!;
      const predicted = this.predicted[c]!;
      if (support === 0 && predicted === 0) continue;
      const sum = this.lossSum[c]!;
      const crossEntropy = support === 0 ? Number.NaN : (Number.isFinite(sum) ? sum + this.lossCompensation[c]! : sum) / support;
      const m2 = this.lossM2[c]!;
      rows.push({
        label: c,
        support,
        crossEntropy,
        crossEntropyStdError: support < 2 || !Number.isFinite(m2) ? Number.NaN : Math.sqrt(m2 / (support - 1) / support),
        accuracy: support === 0 ? Number.NaN : this.correct[c]! / support,
        accuracyStdError: proportionStandardError(this.correct[c]!, support),
        predicted,
        // Rows predicted c that were right are the rows labelled c that were: correct[c] counts both.
        calibrationGap:
          predicted === 0 ? Number.NaN : Math.abs(this.correct[c]! / predicted - (this.confidenceSum[c]! + this.confidenceCompensation[c]!) / predicted),
      });
    }
    return rows;
  }
}
