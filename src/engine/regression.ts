import { CompensatedSum } from './compensatedSum';
import type { RowMatrix, StreamingState } from './reduction';
import { checkPairedRows, RowError } from './rowError';

export interface RegressionChunk {
  readonly targets: RowMatrix;
  readonly predictions: RowMatrix;
  readonly firstRow?: number;
}

/** log(sqrt(2 pi)): the per-dimension constant of the Gaussian log-density. */
export const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

function checkShapes(targets: RowMatrix, predictions: RowMatrix, first: number): void {
  checkPairedRows(targets, predictions, targets.k, first);
}

function finite(v: number, row: number, what: string): number {
  if (!Number.isFinite(v)) throw new RowError(row, Number.isNaN(v) ? `the ${what} is missing (NaN)` : `the ${what} is infinite`);
  return v;
}

/**
 * Streaming squared error for n samples of k outputs: the sufficient statistic of the
 * fixed-sigma Gaussian model. From it: MSE (mean over all n k values, as `F.mse_loss`), the
 * Gaussian NLL at any sigma, and the MLE of sigma.
 */
export class SquaredErrorState implements StreamingState<RegressionChunk, SquaredErrorState> {
  readonly sse = new CompensatedSum();
  n = 0;

  constructor(readonly k: number) {}

  /** ||y_i - yhat_i||^2 for each row of the chunk. */
  consume(chunk: RegressionChunk): Float64Array {
    const { targets, predictions } = chunk;
    const first = chunk.firstRow ?? 0;
    checkShapes(targets, predictions, first);
    if (targets.k !== this.k) throw new RangeError(`${targets.k} outputs, expected ${this.k}`);
    const k = this.k;
    const squares = new Float64Array(targets.n);
    for (let i = 0; i < targets.n; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) {
        const r = finite(targets.values[i * k + j]!, first + i, 'target') - finite(predictions.values[i * k + j]!, first + i, 'prediction');
        s += r * r;
      }
      squares[i] = s;
      this.sse.add(s);
      this.n++;
    }
    return squares;
  }

  merge(other: SquaredErrorState): void {
    this.sse.merge(other.sse);
    this.n += other.n;
  }

  /** Sum of squares / (n k). */
  get mse(): number {
    return this.sse.value / (this.n * this.k);
  }

  /**
   * The MLE of a shared sigma: sigma_hat^2 = (1 / (n k)) sum_i ||y_i - yhat_i||^2, the mean of
   * all n k squared residuals (divisor n k, not n k - 1), i.e. sigma_hat = sqrt(MSE).
   */
  get sigmaMle(): number {
    return Math.sqrt(this.mse);
  }

  /** sum_i -log N(y_i; yhat_i, sigma^2 I) = n k log(sqrt(2 pi) sigma) + SSE / (2 sigma^2). */
  gaussianNll(sigma: number): number {
    return gaussianNllFromSse(this.sse.value, this.n, this.k, sigma);
  }

  /**
   * Every prediction equals its target: the likelihood grows without bound as sigma -> 0, so
   * sigma's MLE is 0 and the NLL there is -inf, a limit rather than a value to compare.
   */
  get perfectFit(): boolean {
    return this.n > 0 && this.sse.value === 0;
  }

  /** log L at sigma_hat: -(n k / 2) (log(2 pi sigma_hat^2) + 1); +inf for a perfect fit (said outright, not left to log(0)). */
  get logLikelihoodAtSigmaMle(): number {
    if (this.perfectFit) return Infinity;
    const nk = this.n * this.k;
    return -0.5 * nk * (Math.log(2 * Math.PI * this.mse) + 1);
  }

  /** -log L at sigma_hat: -inf for a perfect fit. */
  get nllAtSigmaMle(): number {
    return -this.logLikelihoodAtSigmaMle;
  }
}

export function gaussianNllFromSse(sse: number, n: number, k: number, sigma: number): number {
  if (!(sigma > 0)) throw new RangeError(`sigma ${sigma} must be > 0`);
  return n * k * (LOG_SQRT_2PI + Math.log(sigma)) + sse / (2 * sigma * sigma);
}

/** Per-sample fixed-sigma Gaussian NLL from ||y_i - yhat_i||^2: k log(sqrt(2 pi) sigma) + ||r||^2 / (2 sigma^2). */
export function gaussianNllPerSample(squaredNorms: ArrayLike<number>, k: number, sigma: number): Float64Array {
  const out = new Float64Array(squaredNorms.length);
  const constant = k * (LOG_SQRT_2PI + Math.log(sigma));
  for (let i = 0; i < out.length; i++) out[i] = constant + squaredNorms[i]! / (2 * sigma * sigma);
  return out;
}

export interface PredictedVarianceOptions {
  /** Add the constant 0.5 log(2 pi) per value. Default false, as PyTorch. */
  readonly full?: boolean;
  /** Variances below eps are raised to eps. Default 1e-6, as PyTorch. */
  readonly eps?: number;
}

export interface PredictedVarianceChunk extends RegressionChunk {
  /** n x k variances, or n x 1 shared by a row's k outputs (PyTorch's broadcasting). */
  readonly variance: RowMatrix;
}

/**
 * `F.gaussian_nll_loss(input, target, var, full, eps)`: per value
 * 0.5 (log max(var, eps) + (y - yhat)^2 / max(var, eps)) [+ 0.5 log(2 pi) when full];
 * 'mean' divides by the n k values, 'sum' adds them.
 */
export class PredictedVarianceState implements StreamingState<PredictedVarianceChunk, PredictedVarianceState> {
  readonly total = new CompensatedSum();
  values = 0;
  /** Values whose variance was raised to eps. */
  clamped = 0;
  private readonly eps: number;
  private readonly constant: number;

  constructor(
    readonly k: number,
    readonly options: PredictedVarianceOptions = {},
  ) {
    this.eps = options.eps ?? 1e-6;
    this.constant = options.full ? LOG_SQRT_2PI : 0;
  }

  /** Element-wise losses (n k, row-major), as `reduction='none'`. */
  consume(chunk: PredictedVarianceChunk): Float64Array {
    const { targets, predictions, variance } = chunk;
    const first = chunk.firstRow ?? 0;
    checkShapes(targets, predictions, first);
    const k = this.k;
    if (targets.k !== k) throw new RangeError(`${targets.k} outputs, expected ${k}`);
    if (variance.n !== targets.n || (variance.k !== k && variance.k !== 1))
      throw new RangeError(`variance of shape ${variance.n} x ${variance.k} for ${targets.n} x ${k} outputs`);
    const out = new Float64Array(targets.n * k);
    for (let i = 0; i < targets.n; i++) {
      const row = first + i;
      for (let j = 0; j < k; j++) {
        let v = variance.values[variance.k === 1 ? i : i * k + j]!;
        if (Number.isNaN(v) || v < 0) throw new RowError(row, Number.isNaN(v) ? 'the variance is missing (NaN)' : `variance ${v} is negative`);
        if (v < this.eps) {
          v = this.eps;
          this.clamped++;
        }
        const r = finite(targets.values[i * k + j]!, row, 'target') - finite(predictions.values[i * k + j]!, row, 'prediction');
        const loss = 0.5 * (Math.log(v) + (r * r) / v) + this.constant;
        out[i * k + j] = loss;
        this.total.add(loss);
        this.values++;
      }
    }
    return out;
  }

  merge(other: PredictedVarianceState): void {
    this.total.merge(other.total);
    this.values += other.values;
    this.clamped += other.clamped;
  }

  get sum(): number {
    return this.total.value;
  }

  get mean(): number {
    return this.total.value / this.values;
  }
}
