import { CompensatedSum, type CompensatedSumData } from './compensatedSum';

/** A LossAccumulator as plain data (see CompensatedSumData). */
export interface LossAccumulatorData {
  readonly count: number;
  readonly correct: number;
  readonly total: CompensatedSumData;
  readonly totalSquares: CompensatedSumData;
  readonly infiniteRows: readonly number[];
  readonly infiniteCount: number;
}

/**
 * The streaming reduction behind every per-sample loss: sums (compensated), the sum of
 * squares for the confidence band, and the rows with an infinite loss. Chunks of a file,
 * or workers, each fill one and merge them; the result equals a single pass.
 */
export class LossAccumulator implements LossAccumulatorData {
  count = 0;
  correct = 0;
  readonly total = new CompensatedSum();
  readonly totalSquares = new CompensatedSum();
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
    this.totalSquares.add(loss * loss);
  }

  merge(other: LossAccumulatorData): void {
    this.count += other.count;
    this.correct += other.correct;
    this.total.merge(other.total);
    this.totalSquares.merge(other.totalSquares);
    this.infiniteCount += other.infiniteCount;
    for (const row of other.infiniteRows) if (this.infiniteRows.length < LossAccumulator.keptRows) this.infiniteRows.push(row);
  }

  get mean(): number {
    return this.count === 0 ? Number.NaN : this.total.value / this.count;
  }

  /** Sample standard deviation of the per-sample loss. */
  get standardDeviation(): number {
    if (this.count < 2) return 0;
    const mean = this.mean;
    const variance = (this.totalSquares.value - this.count * mean * mean) / (this.count - 1);
    return Math.sqrt(Math.max(0, variance));
  }
}
