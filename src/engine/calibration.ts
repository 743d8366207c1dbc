import type { PredictionKind } from './categorical';
import { CompensatedSum, type CompensatedSumData } from './compensatedSum';
import type { LabelledRows, StreamingState } from './reduction';
import { scoreRows, typedValues, type RowScores } from './rowScores';

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
}

/** A ReliabilityState's bins as plain data (see CompensatedSumData). */
export interface ReliabilityData {
  readonly counts: readonly number[];
  readonly confidence: readonly CompensatedSumData[];
  readonly correct: readonly number[];
}

/** torchmetrics' default bin count for calibration error. */
export const DEFAULT_CALIBRATION_BINS = 15;

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

  constructor(
    readonly k: number,
    readonly kind: PredictionKind,
    readonly binCount = DEFAULT_CALIBRATION_BINS,
  ) {
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
    );
  }

  /** Adds rows already scored; rows scored as ignored (predicted -1) are left out. */
  consumeScores(labels: ArrayLike<number>, scored: RowScores): void {
    const { confidence, predicted } = scored;
    const bins = this.binCount;
    for (let i = 0; i < scored.n; i++) {
      const top = predicted[i]!;
      if (top < 0) continue;
      const c = confidence[i]!;
      const bin = Math.min(bins - 1, Math.floor(c * bins));
      this.counts[bin]!++;
      this.confidence[bin]!.add(c);
      if (top === labels[i]) this.correct[bin]!++;
    }
  }

  merge(other: ReliabilityData): void {
    for (let b = 0; b < this.binCount; b++) {
      this.counts[b]! += other.counts[b]!;
      this.correct[b]! += other.correct[b]!;
      this.confidence[b]!.merge(other.confidence[b]!);
    }
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
    return { bins, ece: ece.value, mce, accuracy: correct / count, count };
  }
}

export function reliabilityTable(labels: ArrayLike<number>, scores: LabelledRows['scores'], kind: PredictionKind, binCount?: number): ReliabilityTable {
  const state = new ReliabilityState(scores.k, kind, binCount);
  state.consume({ labels, scores });
  return state.table();
}
