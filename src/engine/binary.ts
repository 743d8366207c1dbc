import { CompensatedSum } from './compensatedSum';
import { LossAccumulator } from './lossAccumulator';
import type { StreamingState } from './reduction';
import { RowError } from './rowError';

/** One prediction column: the probability of class 1, or its logit. */
export type BinaryInput = 'probs' | 'logits';

/**
 * 'exact' (the default): -log p of the observed outcome, +Infinity when the model gave it
 * probability 0, with log(1 - p) taken as log1p(-p) so small p keep their digits.
 * 'torch': what `F.binary_cross_entropy` returns: each log clamped at -100 and log(1 - p)
 * formed as PyTorch 1.13 forms it (log of the rounded 1 - p).
 */
export type BinaryConvention = 'exact' | 'torch';

export interface BinaryOptions {
  readonly input: BinaryInput;
  /** Weight of the positive term, as `binary_cross_entropy_with_logits(pos_weight=...)`; logits only. */
  readonly posWeight?: number;
  /** Which per-row loss `consume` returns; both are always accumulated. */
  readonly convention?: BinaryConvention;
}

export interface BinaryChunk {
  readonly labels: ArrayLike<number>;
  readonly predictions: ArrayLike<number>;
  readonly firstRow?: number;
}

export const TORCH_LOG_CLAMP = -100;

/** log(1 + exp(x)) without overflow or loss of digits: max(x, 0) + log1p(exp(-|x|)). */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * y log p + (1 - y) log(1 - p) with both terms formed, each weighted by its indicator: the
 * Bernoulli log-likelihood as written, not the observed outcome's log picked by the label. A
 * term with weight 0 adds 0 even where its log is -Infinity (0 log 0 = 0).
 */
function bernoulliLogLikelihood(y: number, logP: number, logOneMinusP: number): number {
  return (y === 0 ? 0 : y * logP) + (y === 1 ? 0 : (1 - y) * logOneMinusP);
}

/**
 * Streaming binary cross-entropy for labels in {0, 1}. The BCE (a mean of the per-row losses,
 * the observed outcome's -log picked by the label) and the log-likelihood
 * sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)] (both terms of every row) are summed separately,
 * from separate formulas, so log L = -n BCE is a real check and not a rearrangement.
 */
export class BinaryCrossEntropyState implements StreamingState<BinaryChunk, BinaryCrossEntropyState> {
  /** Exact per-row loss, unweighted. */
  readonly exact = new LossAccumulator();
  /** PyTorch's clamped per-row loss (the same as exact for logits, where nothing is clamped). */
  readonly torch = new CompensatedSum();
  /** Per-row loss with pos_weight applied (logits); equals `exact` without pos_weight. */
  readonly weighted = new CompensatedSum();
  readonly logLikelihoodSum = new CompensatedSum();
  positives = 0;
  /** Rows whose loss PyTorch clamps (p = 0 for an observed 1, or p = 1 for an observed 0). */
  clampedRows = 0;

  constructor(readonly options: BinaryOptions) {
    if (options.posWeight !== undefined && options.input !== 'logits') throw new RangeError('pos_weight applies to logits (binary_cross_entropy_with_logits)');
  }

  consume(chunk: BinaryChunk): Float64Array {
    const { labels, predictions } = chunk;
    const first = chunk.firstRow ?? 0;
    const n = predictions.length;
    if (labels.length !== n) throw new RowError(first + Math.min(labels.length, n), `${labels.length} labels for ${n} predictions`);
    const posWeight = this.options.posWeight ?? 1;
    const torchConvention = this.options.convention === 'torch';
    const losses = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const row = first + i;
      const y = labels[i]!;
      if (y !== 0 && y !== 1) throw new RowError(row, Number.isNaN(y) ? 'the label is missing (NaN)' : `label ${y} is not 0 or 1`);
      const v = predictions[i]!;
      let exact: number;
      let torch: number;
      let weighted: number;
      let logLik: number;
      if (this.options.input === 'probs') {
        if (!(v >= 0 && v <= 1)) throw new RowError(row, Number.isNaN(v) ? 'the probability is missing (NaN)' : `probability ${v} is outside [0, 1]`);
        exact = y === 1 ? -Math.log(v) : -Math.log1p(-v);
        const torchLog = y === 1 ? Math.log(v) : Math.log(1 - v);
        if (torchLog < TORCH_LOG_CLAMP) this.clampedRows++;
        torch = -Math.max(torchLog, TORCH_LOG_CLAMP);
        weighted = exact;
        logLik = bernoulliLogLikelihood(y, Math.log(v), Math.log1p(-v));
      } else {
        if (Number.isNaN(v)) throw new RowError(row, 'the logit is missing (NaN)');
        // Without pos_weight this is max(z, 0) - z y + log1p(exp(-|z|)).
        exact = Math.max(v, 0) - v * y + Math.log1p(Math.exp(-Math.abs(v)));
        torch = exact;
        // PyTorch: (1 - y) z + (1 + (pw - 1) y) softplus(-z).
        weighted = posWeight === 1 ? exact : (1 - y) * v + (1 + (posWeight - 1) * y) * softplus(-v);
        // log sigmoid(z) = -softplus(-z), log(1 - sigmoid(z)) = -softplus(z).
        logLik = bernoulliLogLikelihood(y, -softplus(-v), -softplus(v));
      }
      if (y === 1) this.positives++;
      this.exact.add(exact, row, y === 1 ? this.predictsOne(v) : !this.predictsOne(v));
      this.torch.add(torch);
      this.weighted.add(weighted);
      this.logLikelihoodSum.add(logLik);
      losses[i] = torchConvention ? torch : posWeight === 1 ? exact : weighted;
    }
    return losses;
  }

  /** Predicted class 1 when p > 0.5 (logit > 0), the threshold sklearn's accuracy on predict() uses. */
  private predictsOne(v: number): boolean {
    return this.options.input === 'probs' ? v > 0.5 : v > 0;
  }

  merge(other: BinaryCrossEntropyState): void {
    this.exact.merge(other.exact);
    this.torch.merge(other.torch);
    this.weighted.merge(other.weighted);
    this.logLikelihoodSum.merge(other.logLikelihoodSum);
    this.positives += other.positives;
    this.clampedRows += other.clampedRows;
  }

  get count(): number {
    return this.exact.count;
  }

  /** Exact mean BCE (Infinity if some observed outcome had probability 0). */
  get bce(): number {
    return this.exact.mean;
  }

  /** `F.binary_cross_entropy(..., reduction='mean')`. */
  get torchBce(): number {
    return this.torch.value / this.count;
  }

  /** `binary_cross_entropy_with_logits(..., pos_weight=pw, reduction='mean')`. */
  get weightedBce(): number {
    return this.weighted.value / this.count;
  }

  get logLikelihood(): number {
    return this.logLikelihoodSum.value;
  }

  get accuracy(): number {
    return this.count === 0 ? Number.NaN : this.exact.correct / this.count;
  }
}

export function binaryCrossEntropy(labels: ArrayLike<number>, predictions: ArrayLike<number>, options: BinaryOptions): BinaryCrossEntropyState {
  const state = new BinaryCrossEntropyState(options);
  state.consume({ labels, predictions });
  return state;
}
