import type { ColumnChunk, StreamingState } from '../reduction';
import { RowError } from '../rowError';
import { DEFAULT_GRID_POINTS, curveWithMaximum, linearGrid, xlogy, type FitResult } from './likelihoodCurve';

/** Sufficient statistics of a Bernoulli sample: the count and the number of ones. */
export class BernoulliFitState implements StreamingState<ColumnChunk, BernoulliFitState> {
  n = 0;
  ones = 0;

  consume(chunk: ColumnChunk): void {
    const first = chunk.firstRow ?? 0;
    for (let i = 0; i < chunk.values.length; i++) {
      const v = chunk.values[i]!;
      if (v !== 0 && v !== 1) throw new RowError(first + i, Number.isNaN(v) ? 'the value is missing (NaN)' : `${v} is not 0 or 1 (Bernoulli)`);
      this.n++;
      if (v === 1) this.ones++;
    }
  }

  merge(other: BernoulliFitState): void {
    this.n += other.n;
    this.ones += other.ones;
  }

  /** log L(theta) = s log theta + (n - s) log(1 - theta). */
  logLikelihood(theta: number): number {
    return xlogy(this.ones, theta) + xlogy(this.n - this.ones, 1 - theta);
  }

  fit(gridPoints = DEFAULT_GRID_POINTS): FitResult<{ theta: number }> {
    const theta = this.ones / this.n;
    const logLikelihood = this.logLikelihood(theta);
    // The open interval: log L is -inf at an end unless every value is on that side.
    const grid = linearGrid(0.5 / gridPoints, 1 - 0.5 / gridPoints, gridPoints);
    const curve = curveWithMaximum('theta', grid, theta, (t) => this.logLikelihood(t));
    return { family: 'bernoulli', n: this.n, estimates: { theta }, logLikelihood, averageNll: -logLikelihood / this.n, curves: [curve] };
  }
}

export function fitBernoulli(values: ArrayLike<number>, gridPoints?: number): FitResult<{ theta: number }> {
  const state = new BernoulliFitState();
  state.consume({ values });
  return state.fit(gridPoints);
}
