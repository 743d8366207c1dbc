import { CompensatedSum } from './compensatedSum';
import type { StreamingState } from './reduction';
import { LOG_SQRT_2PI, type RegressionChunk } from './regression';
import { checkPairedRows, RowError } from './rowError';

/**
 * sum_i log N(y_i; yhat_i, sigma^2 I) at a fixed sigma, summed row by row from each value's
 * log-density -log sigma - log sqrt(2 pi) - ((y - yhat) / sigma)^2 / 2: the Gaussian
 * log-likelihood by another route than the closed form from the sum of squared errors
 * (SquaredErrorState.gaussianNll), so the derivation can check one against the other.
 */
export class GaussianLogDensityState implements StreamingState<RegressionChunk, GaussianLogDensityState> {
  readonly total = new CompensatedSum();
  n = 0;
  private readonly logNormaliser: number;

  constructor(
    readonly k: number,
    readonly sigma: number,
  ) {
    if (!(sigma > 0 && Number.isFinite(sigma))) throw new RangeError(`sigma ${sigma} must be a positive number`);
    this.logNormaliser = -Math.log(sigma) - LOG_SQRT_2PI;
  }

  consume(chunk: RegressionChunk): void {
    const { targets, predictions } = chunk;
    const first = chunk.firstRow ?? 0;
    const k = this.k;
    checkPairedRows(targets, predictions, k, first);
    for (let i = 0; i < targets.n; i++) {
      let row = 0;
      for (let j = 0; j < k; j++) {
        const z = (targets.values[i * k + j]! - predictions.values[i * k + j]!) / this.sigma;
        if (!Number.isFinite(z)) throw new RowError(first + i, 'a target or prediction is not a finite number');
        row += this.logNormaliser - 0.5 * z * z;
      }
      this.total.add(row);
      this.n++;
    }
  }

  merge(other: GaussianLogDensityState): void {
    this.total.merge(other.total);
    this.n += other.n;
  }

  get logLikelihood(): number {
    return this.total.value;
  }
}
