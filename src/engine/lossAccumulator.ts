import { CompensatedSum, type CompensatedSumData } from './compensatedSum';

/** A LossAccumulator as plain data (see CompensatedSumData). */
export interface LossAccumulatorData {
  readonly count: number;
  readonly correct: number;
  readonly total: CompensatedSumData;
  /** Welford's running mean and sum of squared deviations, merged by Chan's formula: the spread without subtracting large sums. */
  readonly runningMean: number;
  readonly m2: number;
  readonly infiniteRows: readonly number[];
  readonly infiniteCount: number;
}

/**
 * The streaming reduction behind every per-sample loss: sums (compensated), Welford's m2 for
 * the standard error, and the rows with an infinite loss. Chunks of a file,
 * or workers, each fill one and merge them; the result equals a single pass.
 */
export class LossAccumulator implements LossAccumulatorData {
  count = 0;
  correct = 0;
  readonly total = new CompensatedSum();
  runningMean = 0;
  m2 = 0;
  /** Rows whose loss is +Infinity (the model gave the observed outcome probability 0); the first few are kept. */
  readonly infiniteRows: number[] = [];
  infiniteCount = 0;

  static readonly keptRows = 20;

  add(loss: number, row: number, isCorrect = false): void {
    this.count++;
    if (isCorrect) this.correct++;
    if (loss === Infinity) {
      this.infiniteCount++;
      if (this.infiniteRows.length < LossAccumulator.keptRows) this.infiniteRows.push(row);
    }
    this.total.add(loss);
    const delta = loss - this.runningMean;
    this.runningMean += delta / this.count;
    this.m2 += delta * (loss - this.runningMean);
  }

  merge(other: LossAccumulatorData): void {
    if (other.count > 0) {
      const count = this.count + other.count;
      const delta = other.runningMean - this.runningMean;
      this.m2 += other.m2 + ((delta * delta * this.count) / count) * other.count;
      this.runningMean += (delta * other.count) / count;
    }
    this.count += other.count;
    this.correct += other.correct;
    this.total.merge(other.total);
    this.infiniteCount += other.infiniteCount;
    for (const row of other.infiniteRows) if (this.infiniteRows.length < LossAccumulator.keptRows) this.infiniteRows.push(row);
  }

  get mean(): number {
    return this.count === 0 ? Number.NaN : this.total.value / this.count;
  }

  /** Sample standard deviation (ddof 1) of the per-sample loss; 0 below two rows, NaN once a loss is infinite. */
  get standardDeviation(): number {
    if (this.count < 2) return 0;
    return this.infiniteCount > 0 ? Number.NaN : Math.sqrt(this.m2 / (this.count - 1));
  }

  /** The standard error of the mean loss: std (ddof 1) / sqrt n; NaN below two rows or once a loss is infinite. */
  get standardError(): number {
    if (this.count < 2 || this.infiniteCount > 0) return Number.NaN;
    return Math.sqrt(this.m2 / (this.count - 1) / this.count);
  }
}
