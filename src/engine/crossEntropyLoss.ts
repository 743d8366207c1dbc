import type { PredictionKind } from './categorical';
import { CompensatedSum, type CompensatedSumData } from './compensatedSum';
import { LossAccumulator, type LossAccumulatorData } from './lossAccumulator';
import type { LabelledRows, Reduction, StreamingState } from './reduction';
import { RowError } from './rowError';
import { scoreRows, typedValues, type RowScoreOptions, type RowScores } from './rowScores';

/** The options of PyTorch's `F.cross_entropy`, plus what the prediction values are. */
export interface CrossEntropyOptions {
  readonly kind: PredictionKind;
  /** Per-class weights w_c (length k). */
  readonly weight?: ArrayLike<number>;
  /** Rows with this label contribute nothing and are left out of the mean. Default -100, as in PyTorch. */
  readonly ignoreIndex?: number;
  /**
   * epsilon in [0, 1]: the target becomes (1 - epsilon) one_hot(y) + epsilon / k. For every kind
   * it acts on the log-probabilities: with probabilities given, log p_c is taken first and the
   * smoothing term is epsilon / k * sum_c w_c (-log p_c), exactly as for log-softmax of logits.
   */
  readonly labelSmoothing?: number;
  /**
   * Refuse a row with a missing value (a NaN label or score) as an error, rather than leave it
   * out of the loss and count it.
   */
  readonly strictMissing?: boolean;
}

export const DEFAULT_IGNORE_INDEX = -100;

/** A CrossEntropyState's sums as plain data (see CompensatedSumData). */
export interface CrossEntropyData {
  readonly numerator: CompensatedSumData;
  readonly denominator: CompensatedSumData;
  readonly ignored: number;
  readonly likelihood: LossAccumulatorData;
  readonly oneHot: CompensatedSumData;
}

/** How scoreRows must score rows for a cross-entropy with these options. */
export function scoreOptionsFor(options: CrossEntropyOptions): RowScoreOptions {
  return {
    kind: options.kind,
    ignoreIndex: options.ignoreIndex ?? DEFAULT_IGNORE_INDEX,
    ...(options.weight ? { weight: options.weight } : {}),
    smoothing: (options.labelSmoothing ?? 0) > 0,
  };
}

/**
 * Streaming `F.cross_entropy`: per row
 *   loss_i = (1 - eps) w_{y_i} (-log q_{y_i}) + eps / k * sum_c w_c (-log q_c),
 * 'sum' adds them, 'mean' divides by the sum of w_{y_i} over the rows not ignored (the row
 * count without weights). Beside it, the plain conditional log-likelihood sum_i log q(y_i|x_i)
 * over the same rows, unweighted and unsmoothed, and the accuracy.
 */
export class CrossEntropyState implements StreamingState<LabelledRows, CrossEntropyData>, CrossEntropyData {
  readonly numerator = new CompensatedSum();
  readonly denominator = new CompensatedSum();
  ignored = 0;
  /** -log q(y_i|x_i) of the rows not ignored: its sum is -log L. */
  readonly likelihood = new LossAccumulator();
  /** The same rows' -sum_c p(c|x_i) log q(c|x_i) with the one-hot p, over every class (see RowScores): n times the cross-entropy, by another route than `likelihood`. */
  readonly oneHot = new CompensatedSum();
  private readonly ignoreIndex: number;
  private readonly smoothing: number;

  constructor(
    readonly k: number,
    readonly options: CrossEntropyOptions,
  ) {
    this.ignoreIndex = options.ignoreIndex ?? DEFAULT_IGNORE_INDEX;
    this.smoothing = options.labelSmoothing ?? 0;
    if (!(this.smoothing >= 0 && this.smoothing <= 1)) throw new RangeError(`label smoothing ${this.smoothing} is outside [0, 1]`);
    if (options.weight && options.weight.length !== k) throw new RangeError(`${options.weight.length} class weights for ${k} classes`);
  }

  /** Per-row losses of the chunk as `reduction='none'` gives them (0 for ignored rows). */
  consume(chunk: LabelledRows): Float64Array {
    const { labels, scores } = chunk;
    const first = chunk.firstRow ?? 0;
    if (scores.k !== this.k) throw new RangeError(`${scores.k} columns, expected ${this.k}`);
    if (labels.length !== scores.n) throw new RowError(first + Math.min(labels.length, scores.n), `${labels.length} labels for ${scores.n} prediction rows`);
    return this.consumeScores(labels, scoreRows(labels, typedValues(scores.values), scores.n, this.k, first, scoreOptionsFor(this.options)), first);
  }

  /** Adds rows already scored with scoreOptionsFor(options), on any thread; returns their per-row losses. */
  consumeScores(labels: ArrayLike<number>, scored: RowScores, firstRow: number): Float64Array {
    this.oneHot.merge(scored.oneHotCrossEntropy);
    const weight = this.options.weight;
    const eps = this.smoothing;
    if (!weight && eps === 0) return this.consumeUnweightedScores(labels, scored, firstRow);
    const k = this.k;
    const { nll, predicted, smoothing } = scored;
    const losses = new Float64Array(scored.n);
    for (let i = 0; i < scored.n; i++) {
      const label = labels[i]!;
      if (label === this.ignoreIndex) {
        this.ignored++;
        continue;
      }
      const wy = weight ? weight[label]! : 1;
      let loss = wy * nll[i]!;
      if (eps > 0) loss = (1 - eps) * loss + (eps / k) * smoothing![i]!;
      losses[i] = loss;
      this.numerator.add(loss);
      this.denominator.add(wy);
      this.likelihood.add(nll[i]!, firstRow + i, predicted[i] === label);
    }
    return losses;
  }

  /**
   * consumeScores without weights or smoothing, where each loss is -log q(y): the numerator
   * would take exactly the additions the likelihood's sum takes, so it is copied from it, and
   * the denominator adds 1 per row, which is the row count. Half the additions per row.
   */
  private consumeUnweightedScores(labels: ArrayLike<number>, scored: RowScores, firstRow: number): Float64Array {
    const losses = new Float64Array(scored.n);
    const likelihood = this.likelihood;
    const countBefore = likelihood.count;
    this.ignored += addUnweightedRows(labels, scored, firstRow, this.ignoreIndex, likelihood, losses);
    // Both sums have seen the same additions since they were 0 (here and in merge), so they are equal.
    this.numerator.sum = likelihood.total.sum;
    this.numerator.compensation = likelihood.total.compensation;
    this.denominator.add(likelihood.count - countBefore);
    return losses;
  }

  merge(other: CrossEntropyData): void {
    this.numerator.merge(other.numerator);
    this.denominator.merge(other.denominator);
    this.ignored += other.ignored;
    this.likelihood.merge(other.likelihood);
    this.oneHot.merge(other.oneHot);
  }

  get sum(): number {
    return this.numerator.value;
  }

  /** NaN when every row is ignored (PyTorch gives NaN too: 0 / 0). */
  get mean(): number {
    return this.numerator.value / this.denominator.value;
  }

  /** sum_i log q(y_i|x_i) over the rows not ignored. */
  get logLikelihood(): number {
    return -this.likelihood.total.value;
  }

  /** Mean over the rows not ignored of the one-hot cross-entropy -sum_c p(c|x_i) log q(c|x_i). */
  get oneHotCrossEntropy(): number {
    return this.oneHot.value / this.likelihood.count;
  }

  get accuracy(): number {
    return this.likelihood.count === 0 ? Number.NaN : this.likelihood.correct / this.likelihood.count;
  }
}

/**
 * The rows' -log q(y) into `likelihood` and `losses`; returns how many were ignored. Only plain
 * stores and that return follow the loop (see scoreRowsInto).
 */
function addUnweightedRows(
  labels: ArrayLike<number>,
  scored: RowScores,
  firstRow: number,
  ignoreIndex: number,
  likelihood: LossAccumulator,
  losses: Float64Array,
): number {
  const { n, nll, predicted } = scored;
  let ignored = 0;
  // LossAccumulator.add, inline, with its sums in locals (a double kept in a field is a heap
  // object in V8), written back once after the loop.
  const total = likelihood.total;
  let count = likelihood.count;
  let correct = likelihood.correct;
  let sum = total.sum;
  let compensation = total.compensation;
  let mean = likelihood.runningMean;
  let m2 = likelihood.m2;
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    if (label === ignoreIndex) {
      ignored++;
      continue;
    }
    const loss = nll[i]!;
    losses[i] = loss;
    count++;
    if (predicted[i] === label) correct++;
    if (loss === Infinity) {
      likelihood.infiniteCount++;
      if (likelihood.infiniteRows.length < LossAccumulator.keptRows) likelihood.infiniteRows.push(firstRow + i);
    }
    // CompensatedSum.add: past an infinite or NaN sum the error term means nothing.
    const next = sum + loss;
    if (Number.isFinite(next)) compensation += Math.abs(sum) >= Math.abs(loss) ? sum - next + loss : loss - next + sum;
    sum = next;
    const delta = loss - mean;
    mean += delta / count;
    m2 += delta * (loss - mean);
  }
  likelihood.count = count;
  likelihood.correct = correct;
  total.sum = sum;
  total.compensation = compensation;
  likelihood.runningMean = mean;
  likelihood.m2 = m2;
  return ignored;
}

/** `F.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)` over in-memory rows. */
export function crossEntropy(
  labels: ArrayLike<number>,
  scores: LabelledRows['scores'],
  options: CrossEntropyOptions & { readonly reduction: 'none' },
): Float64Array;
export function crossEntropy(
  labels: ArrayLike<number>,
  scores: LabelledRows['scores'],
  options: CrossEntropyOptions & { readonly reduction?: 'mean' | 'sum' },
): number;
export function crossEntropy(
  labels: ArrayLike<number>,
  scores: LabelledRows['scores'],
  options: CrossEntropyOptions & { readonly reduction?: Reduction },
): number | Float64Array {
  const state = new CrossEntropyState(scores.k, options);
  const losses = state.consume({ labels, scores });
  const reduction = options.reduction ?? 'mean';
  return reduction === 'none' ? losses : reduction === 'sum' ? state.sum : state.mean;
}
