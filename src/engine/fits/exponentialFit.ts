import { CompensatedSum } from '../compensatedSum';
import type { ColumnChunk, StreamingState } from '../reduction';
import { RowError } from '../rowError';
import { DEFAULT_GRID_POINTS, curveWithMaximum, logGrid, type FitResult } from './likelihoodCurve';

/**
 * The largest value an exponential fit takes: values up to 1e290, summed over 2^53 rows, stay
 * below float64's largest number; a sum that overflowed would give lambda = 0 and log L = NaN.
 */
export const MAX_EXPONENTIAL_VALUE = 1e290;

/** Sufficient statistics of an exponential sample: n and sum x_i. */
export class ExponentialFitState implements StreamingState<ColumnChunk, ExponentialFitState> {
  n = 0;
  readonly sum = new CompensatedSum();

  consume(chunk: ColumnChunk): void {
    const first = chunk.firstRow ?? 0;
    for (let i = 0; i < chunk.values.length; i++) {
      const v = chunk.values[i]!;
      if (!(v >= 0 && v < Infinity))
        throw new RowError(first + i, Number.isNaN(v) ? 'the value is missing (NaN)' : `${v} is not a finite non-negative number (exponential)`);
      if (v > MAX_EXPONENTIAL_VALUE)
        throw new RowError(
          first + i,
          `${v} is too large for an exponential fit: the sum of the values would overflow float64 (x above ${MAX_EXPONENTIAL_VALUE})`,
        );
      this.n++;
      this.sum.add(v);
    }
  }

  merge(other: ExponentialFitState): void {
    this.n += other.n;
    this.sum.merge(other.sum);
  }

  /** log L(lambda) = n log lambda - lambda sum x. */
  logLikelihood(lambda: number): number {
    return this.n * Math.log(lambda) - lambda * this.sum.value;
  }

  /** lambda_hat = 1 / mean (the rate; scipy's expon.fit(x, floc=0) reports scale = mean). Infinite if every value is 0. */
  fit(gridPoints = DEFAULT_GRID_POINTS): FitResult<{ lambda: number }> {
    const lambda = this.n / this.sum.value;
    const logLikelihood = this.logLikelihood(lambda);
    const curves = Number.isFinite(lambda)
      ? [curveWithMaximum('lambda', logGrid(lambda / 4, lambda * 4, gridPoints), lambda, (l) => this.logLikelihood(l))]
      : [];
    return { family: 'exponential', n: this.n, estimates: { lambda }, logLikelihood, averageNll: -logLikelihood / this.n, curves };
  }
}

export function fitExponential(values: ArrayLike<number>, gridPoints?: number): FitResult<{ lambda: number }> {
  const state = new ExponentialFitState();
  state.consume({ values });
  return state.fit(gridPoints);
}
