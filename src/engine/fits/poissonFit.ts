import { CompensatedSum } from '../compensatedSum';
import { logFactorial } from '../logFactorial';
import type { ColumnChunk, StreamingState } from '../reduction';
import { RowError } from '../rowError';
import { DEFAULT_GRID_POINTS, curveWithMaximum, logGrid, xlogy, type FitResult } from './likelihoodCurve';

/** Sufficient statistics of a Poisson sample: n, sum x_i and sum log(x_i!) (the part free of lambda). */
export class PoissonFitState implements StreamingState<ColumnChunk, PoissonFitState> {
  n = 0;
  readonly sum = new CompensatedSum();
  readonly sumLogFactorial = new CompensatedSum();

  consume(chunk: ColumnChunk): void {
    const first = chunk.firstRow ?? 0;
    for (let i = 0; i < chunk.values.length; i++) {
      const v = chunk.values[i]!;
      if (!Number.isInteger(v) || v < 0) throw new RowError(first + i, Number.isNaN(v) ? 'the value is missing (NaN)' : `${v} is not a count (Poisson needs non-negative integers)`);
      this.n++;
      this.sum.add(v);
      this.sumLogFactorial.add(logFactorial(v));
    }
  }

  merge(other: PoissonFitState): void {
    this.n += other.n;
    this.sum.merge(other.sum);
    this.sumLogFactorial.merge(other.sumLogFactorial);
  }

  /** log L(lambda) = (sum x) log lambda - n lambda - sum log x!. */
  logLikelihood(lambda: number): number {
    return xlogy(this.sum.value, lambda) - this.n * lambda - this.sumLogFactorial.value;
  }

  /** lambda_hat = mean. */
  fit(gridPoints = DEFAULT_GRID_POINTS): FitResult<{ lambda: number }> {
    const lambda = this.sum.value / this.n;
    const logLikelihood = this.logLikelihood(lambda);
    const scale = lambda > 0 ? lambda : 1;
    const curve = curveWithMaximum('lambda', logGrid(scale / 4, scale * 4, gridPoints), lambda, (l) => this.logLikelihood(l));
    return { family: 'poisson', n: this.n, estimates: { lambda }, logLikelihood, averageNll: -logLikelihood / this.n, curves: [curve] };
  }
}

export function fitPoisson(values: ArrayLike<number>, gridPoints?: number): FitResult<{ lambda: number }> {
  const state = new PoissonFitState();
  state.consume({ values });
  return state.fit(gridPoints);
}
