import { CompensatedSum } from '../compensatedSum';
import type { ColumnChunk, StreamingState } from '../reduction';
import { RowError } from '../rowError';
import { DEFAULT_GRID_POINTS, curveWithMaximum, linearGrid, logGrid, type FitResult } from './likelihoodCurve';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * The largest |x| a Gaussian fit takes: squared deviations of values up to 1e144 (at most 4e288
 * each), summed over 2^53 rows, stay below float64's largest number; larger values would make
 * sigma infinite and the fit meaningless.
 */
export const MAX_GAUSSIAN_MAGNITUDE = 1e144;

/**
 * Sufficient statistics of a Gaussian sample: count, mean and the sum of squared deviations
 * M2. Each chunk is reduced in two passes (compensated mean, then deviations from it) and
 * chunks are combined with Chan et al.'s update, so no sum of squares of large values ever
 * cancels.
 */
export class GaussianFitState implements StreamingState<ColumnChunk, GaussianFitState> {
  n = 0;
  mean = 0;
  m2 = 0;

  consume(chunk: ColumnChunk): void {
    const first = chunk.firstRow ?? 0;
    const { values } = chunk;
    if (values.length === 0) return;
    const sum = new CompensatedSum();
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) throw new RowError(first + i, Number.isNaN(v) ? 'the value is missing (NaN)' : `${v} is not finite`);
      if (Math.abs(v) > MAX_GAUSSIAN_MAGNITUDE)
        throw new RowError(
          first + i,
          `${v} is too large for a Gaussian fit: sums of squared deviations would overflow float64 (|x| above ${MAX_GAUSSIAN_MAGNITUDE})`,
        );
      sum.add(v);
    }
    const mean = sum.value / values.length;
    const m2 = new CompensatedSum();
    for (let i = 0; i < values.length; i++) {
      const d = values[i]! - mean;
      m2.add(d * d);
    }
    this.combine(values.length, mean, m2.value);
  }

  merge(other: GaussianFitState): void {
    if (other.n > 0) this.combine(other.n, other.mean, other.m2);
  }

  private combine(nb: number, meanB: number, m2b: number): void {
    const na = this.n;
    const n = na + nb;
    const delta = meanB - this.mean;
    this.mean = na === 0 ? meanB : this.mean + (delta * nb) / n;
    this.m2 = na === 0 ? m2b : this.m2 + m2b + ((delta * delta * na) / n) * nb;
    this.n = n;
  }

  /** log L(mu, sigma) = -n/2 log(2 pi sigma^2) - (M2 + n (xbar - mu)^2) / (2 sigma^2). */
  logLikelihood(mu: number, sigma: number): number {
    const d = this.mean - mu;
    return -0.5 * this.n * (LOG_2PI + 2 * Math.log(sigma)) - (this.m2 + this.n * d * d) / (2 * sigma * sigma);
  }

  /** mu_hat = mean, sigma_hat = sqrt(M2 / n) (the MLE divides by n, like numpy.std and scipy.stats.norm.fit). */
  fit(gridPoints = DEFAULT_GRID_POINTS): FitResult<{ mu: number; sigma: number }> {
    const mu = this.mean;
    const sigma = Math.sqrt(this.m2 / this.n);
    const logLikelihood = -0.5 * this.n * (LOG_2PI + 2 * Math.log(sigma) + 1);
    const spread = sigma > 0 ? sigma : 1;
    const muCurve = curveWithMaximum('mu', linearGrid(mu - 3 * spread, mu + 3 * spread, gridPoints), mu, (m) => this.logLikelihood(m, sigma));
    const sigmaCurve = curveWithMaximum('sigma', logGrid(spread / 4, spread * 4, gridPoints), sigma, (s) => this.logLikelihood(mu, s));
    return { family: 'gaussian', n: this.n, estimates: { mu, sigma }, logLikelihood, averageNll: -logLikelihood / this.n, curves: [muCurve, sigmaCurve] };
  }
}

export function fitGaussian(values: ArrayLike<number>, gridPoints?: number): FitResult<{ mu: number; sigma: number }> {
  const state = new GaussianFitState();
  state.consume({ values });
  return state.fit(gridPoints);
}
