import { CompensatedSum } from '../compensatedSum';
import { logFactorialRemainder } from '../logFactorial';
import type { ColumnChunk, StreamingState } from '../reduction';
import { RowError } from '../rowError';
import { DEFAULT_GRID_POINTS, curveWithMaximum, logGrid, type FitResult } from './likelihoodCurve';

/**
 * The largest count a Poisson fit takes: float64 holds every integer up to 2^53 and not all
 * beyond, so a larger value may not be the count the file wrote.
 */
export const MAX_POISSON_COUNT = Number.MAX_SAFE_INTEGER;

/** x log(x / c) as x log1p((x - c) / c): exact while x is near c, and 0 for x = 0. */
function countLogRatio(x: number, c: number): number {
  return x === 0 ? 0 : x * Math.log1p((x - c) / c);
}

/**
 * log q(x) under Poisson(lambda), written as x log(lambda / x) + (x - lambda) - r(x) with
 * r(x) = log x! - x log x + x: each term is the size of x - lambda or of log x, where
 * x log lambda - lambda - log x! subtracts numbers near x log x (no digits left near 2^50).
 */
export function poissonLogPmf(x: number, lambda: number): number {
  return (x === 0 ? 0 : x * Math.log1p((lambda - x) / x)) + (x - lambda) - logFactorialRemainder(x);
}

/**
 * Sufficient statistics of a Poisson sample, kept about a pivot c (the first count, at least 1)
 * so that log L keeps its digits for counts up to 2^53. With S = sum x_i and
 * log x! = x log x - x + r(x),
 *   log L(lambda) = S log(lambda / c) - sum x_i log(x_i / c) + (S - n lambda) - sum r(x_i),
 * where each sum is the size of the counts' spread about c, not of S log S.
 */
export class PoissonFitState implements StreamingState<ColumnChunk, PoissonFitState> {
  n = 0;
  /** c, fixed by the first count (at least 1, so x / c is defined); 0 until one arrives. */
  pivot = 0;
  /** sum (x_i - c): S = n c + deviation. */
  readonly deviation = new CompensatedSum();
  /** sum x_i log(x_i / c). */
  readonly logRatio = new CompensatedSum();
  /** sum r(x_i): the part of sum log x_i! that depends on neither c nor lambda. */
  readonly remainder = new CompensatedSum();

  consume(chunk: ColumnChunk): void {
    const first = chunk.firstRow ?? 0;
    for (let i = 0; i < chunk.values.length; i++) {
      const v = chunk.values[i]!;
      if (!Number.isInteger(v) || v < 0)
        throw new RowError(first + i, Number.isNaN(v) ? 'the value is missing (NaN)' : `${v} is not a count (Poisson needs non-negative integers)`);
      if (v > MAX_POISSON_COUNT) throw new RowError(first + i, `${v} is not an exact count: float64 holds every integer only up to 2^53 (Poisson)`);
      if (this.n === 0) this.pivot = Math.max(1, v);
      this.n++;
      this.deviation.add(v - this.pivot);
      this.logRatio.add(countLogRatio(v, this.pivot));
      this.remainder.add(logFactorialRemainder(v));
    }
  }

  merge(other: PoissonFitState): void {
    if (other.n === 0) return;
    if (this.n === 0) this.pivot = other.pivot;
    // Moved from the other pivot c' to c: x - c = (x - c') + (c' - c) and
    // x log(x / c) = x log(x / c') + x log(c' / c).
    const shift = other.pivot - this.pivot;
    const otherSum = other.sum;
    this.deviation.merge(other.deviation);
    this.deviation.add(other.n * shift);
    this.logRatio.merge(other.logRatio);
    if (otherSum !== 0) this.logRatio.add(otherSum * Math.log1p(shift / this.pivot));
    this.remainder.merge(other.remainder);
    this.n += other.n;
  }

  /** S = sum x_i. */
  get sum(): number {
    return this.n * this.pivot + this.deviation.value;
  }

  /** log L(lambda) = (sum x) log lambda - n lambda - sum log x!, in the pivoted form above. */
  logLikelihood(lambda: number): number {
    const c = this.pivot;
    const s = this.sum;
    const step = lambda - c;
    // 0 log 0 = 0: with no counts above 0, lambda = 0 is the MLE and log L is finite.
    return (s === 0 ? 0 : s * Math.log1p(step / c)) - this.logRatio.value + (this.deviation.value - this.n * step) - this.remainder.value;
  }

  /** lambda_hat = mean = c + sum (x_i - c) / n. */
  fit(gridPoints = DEFAULT_GRID_POINTS): FitResult<{ lambda: number }> {
    const lambda = this.pivot + this.deviation.value / this.n;
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
