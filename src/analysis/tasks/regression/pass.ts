import { GaussianLogDensityState } from '../../../engine/gaussianLogDensity';
import { gaussianNllPerSample, PredictedVarianceState, SquaredErrorState } from '../../../engine/regression';
import { blockOf, type RowBatch } from '../../rows/rowBatch';
import { RowLossRecorder } from '../../rows/rowLossRecorder';
import type { AnalysisOptions } from '../../results';

/**
 * One pass of regression losses over batches laid out [y_1..y_k | yhat_1..yhat_k | var...]:
 * the sum of squared errors (which gives the MSE, the Gaussian NLL at any sigma and the sigma
 * MLE), F.gaussian_nll_loss when variances are given, and per-row Gaussian NLLs at the fixed
 * sigma for the plots.
 */
export class RegressionPass {
  readonly squaredError: SquaredErrorState;
  readonly predictedVariance: PredictedVarianceState | undefined;
  readonly losses: RowLossRecorder;
  /** Every value's F.gaussian_nll_loss, kept only for reduction='none'. */
  readonly varianceLosses: number[] | undefined;
  /** Each row's targets, flattened, kept with the row losses: what a comparison of two files checks. */
  readonly rowTargets: number[] | undefined;
  /** log L at sigma summed value by value from the log-density, beside the closed form from the SSE. */
  readonly logDensity: GaussianLogDensityState;
  private readonly width: number;

  constructor(
    readonly k: number,
    readonly varianceColumns: number,
    readonly sigma: number,
    options: AnalysisOptions,
  ) {
    this.squaredError = new SquaredErrorState(k);
    this.logDensity = new GaussianLogDensityState(k, sigma);
    this.predictedVariance =
      varianceColumns > 0
        ? new PredictedVarianceState(k, {
            ...(options.full !== undefined ? { full: options.full } : {}),
            ...(options.eps !== undefined ? { eps: options.eps } : {}),
          })
        : undefined;
    this.width = 2 * k + varianceColumns;
    this.losses = new RowLossRecorder(options.keepRowLosses === true);
    this.varianceLosses = options.keepRowLosses && varianceColumns > 0 ? [] : undefined;
    this.rowTargets = options.keepRowLosses ? [] : undefined;
  }

  push(batch: RowBatch): void {
    const chunk = { targets: blockOf(batch, this.width, 0, this.k), predictions: blockOf(batch, this.width, this.k, this.k), firstRow: batch.firstRow };
    const squares = this.squaredError.consume(chunk);
    if (this.rowTargets) for (const value of chunk.targets.values) this.rowTargets.push(value);
    this.logDensity.consume(chunk);
    const nll = gaussianNllPerSample(squares, this.k, this.sigma);
    this.losses.add(nll, batch);
    if (this.predictedVariance) {
      const values = this.predictedVariance.consume({ ...chunk, variance: blockOf(batch, this.width, 2 * this.k, this.varianceColumns) });
      if (this.varianceLosses) for (const value of values) this.varianceLosses.push(value);
    }
  }
}
