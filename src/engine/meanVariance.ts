import { CompensatedSum } from './compensatedSum';

/** A mean and variance as plain data: what merge() reads, and what crosses to another thread. */
export interface MeanVarianceData {
  readonly count: number;
  readonly mean: number;
  readonly m2: number;
}

/**
 * Welford's running mean and sum of squared deviations, merged by Chan's formula, so blocks
 * reduced anywhere agree with one pass; the sum is kept compensated as well, for the mean itself.
 */
export class MeanVarianceState implements MeanVarianceData {
  count = 0;
  mean = 0;
  m2 = 0;
  readonly sum = new CompensatedSum();

  add(value: number): void {
    this.count++;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (value - this.mean);
    this.sum.add(value);
  }

  merge(other: MeanVarianceData & { readonly sum: { readonly sum: number; readonly compensation: number } }): void {
    if (other.count === 0) return;
    const count = this.count + other.count;
    const delta = other.mean - this.mean;
    this.m2 += other.m2 + ((delta * delta * this.count) / count) * other.count;
    this.mean += (delta * other.count) / count;
    this.count = count;
    this.sum.merge(other.sum);
  }

  /** The sample standard deviation (ddof 1, numpy.std(x, ddof=1)); NaN below two values. */
  get standardDeviation(): number {
    return this.count < 2 ? Number.NaN : Math.sqrt(this.m2 / (this.count - 1));
  }

  /** The standard error of the mean: std (ddof 1) / sqrt n. */
  get standardError(): number {
    return this.standardDeviation / Math.sqrt(this.count);
  }
}

/** The standard error of a model's cross-entropy: std(per-row NLL, ddof 1) / sqrt n. */
export function crossEntropyStdError(rowLosses: ArrayLike<number>): number {
  const state = new MeanVarianceState();
  for (let i = 0; i < rowLosses.length; i++) state.add(rowLosses[i]!);
  return state.standardError;
}
