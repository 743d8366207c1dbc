import { ROW_SUM_TOLERANCE, type PredictionKind } from './categorical';
import { CompensatedSum } from './compensatedSum';
import { expNonPositive } from './expNonPositive';
import { FIGURE_ARGMAX, FIGURE_MAX, FIGURE_PICKED, FIGURE_REST, logSumExpKernel, ROW_FIGURES, type LogSumExpKernel } from './kernel/logSumExpKernel';
import { logProbabilityRow } from './logProbabilities';
import { RowError } from './rowError';

/**
 * What every categorical state needs of a row, computed in one pass over its K values: the
 * exps and logs are nearly all the cost of a classifier's analysis, so they happen once here
 * and the states (cross-entropy, calibration, plot sketch) only add up these numbers. A pure
 * function of its rows, so row ranges can be scored on several threads and reduced in order.
 */
export interface RowScores {
  readonly n: number;
  /** -log q(y_i | x_i); Infinity when the true class has probability 0; 0 for ignored rows. */
  readonly nll: Float64Array;
  /** The top-label probability max_c q_c (0 for ignored rows). */
  readonly confidence: Float64Array;
  /** argmax_c q_c, ties to the lowest index as torch.argmax; -1 for ignored rows. */
  readonly predicted: Int32Array;
  /** sum_c w_c (-log q_c), only when label smoothing asks for it. */
  readonly smoothing?: Float64Array;
  /** Rows (of probabilities or log-probabilities) that do not sum to 1 within 1e-4. */
  readonly notNormalisedCount: number;
  /** The first NOTED_ROWS of them, 0-based within the batch. */
  readonly notNormalisedRows: readonly number[];
  /**
   * Over the rows not ignored, -sum_c p(c|x_i) log q(c|x_i) with p the one-hot label
   * distribution, each row summed over every class: the cross-entropy with the labels, added up
   * apart from `nll` so that log L = -n CE compares two routes.
   */
  readonly oneHotCrossEntropy: CompensatedSum;
}

export interface RowScoreOptions {
  readonly kind: PredictionKind;
  /** Rows with this label are skipped (PyTorch's ignore_index). */
  readonly ignoreIndex: number;
  /** Class weights for the smoothing term; only read when `smoothing` is set. */
  readonly weight?: ArrayLike<number>;
  /** Compute sum_c w_c (-log q_c) per row, for label smoothing. */
  readonly smoothing?: boolean;
}

/** How many rows of each kind of trouble are named. */
export const NOTED_ROWS = 20;

/**
 * Scores n rows of K values against their labels: row i's values are values[i * stride ..
 * i * stride + k), so rows read with more fields than the K scores need no copy. Throws a RowError
 * (0-based file row, from `firstRow`) on a label that is not a class index and on values the
 * kind does not allow: NaN, infinite logits, probabilities outside [0, 1], log-probabilities > 0.
 */
export function scoreRows(
  labels: ArrayLike<number>,
  values: Float64Array | Float32Array,
  n: number,
  k: number,
  firstRow: number,
  options: RowScoreOptions,
  stride = k,
): RowScores {
  // One shape for every result (smoothing undefined rather than absent): the states that read it stay monomorphic.
  const nll = new Float64Array(n);
  const confidence = new Float64Array(n);
  const predicted = new Int32Array(n);
  const smoothing = options.smoothing ? new Float64Array(n) : undefined;
  const notNormalisedRows: number[] = [];
  const oneHotCrossEntropy = new CompensatedSum();
  const kernel = options.kind === 'logits' ? logSumExpKernel() : undefined;
  // Few classes are finished in the kernel, two rows at a time; label smoothing needs each row's
  // log-sum-exp, which that path does not return, so it takes the per-row figures. A row either
  // path refuses goes to the JavaScript loop, which names it.
  const rows = { labels, values, n, k, stride };
  if (
    kernel &&
    (kernel.acceptsForClassify(k) && !smoothing
      ? classifyOnKernel(kernel, rows, options.ignoreIndex, { nll, confidence, predicted, oneHotCrossEntropy })
      : kernel.accepts(k) && scoreLogitsOnKernel(kernel, rows, options, { nll, confidence, predicted, smoothing, oneHotCrossEntropy }))
  )
    return { n, nll, confidence, predicted, smoothing, notNormalisedCount: 0, notNormalisedRows, oneHotCrossEntropy };
  const notNormalisedCount = scoreRowsInto({ labels, values, n, k, firstRow, stride }, options, {
    nll,
    confidence,
    predicted,
    smoothing,
    notNormalisedRows,
    oneHotCrossEntropy,
  });
  return { n, nll, confidence, predicted, smoothing, notNormalisedCount, notNormalisedRows, oneHotCrossEntropy };
}

/**
 * scoreRows' loop, writing into `out`; returns the count of rows not normalised. Nothing but
 * that return follows the loop: V8 compiles a long loop while it runs (on-stack replacement),
 * and code after it that has not run yet would throw the compiled loop away on every call.
 */
function scoreRowsInto(
  rows: { labels: ArrayLike<number>; values: Float64Array | Float32Array; n: number; k: number; firstRow: number; stride: number },
  options: RowScoreOptions,
  out: {
    nll: Float64Array;
    confidence: Float64Array;
    predicted: Int32Array;
    smoothing: Float64Array | undefined;
    notNormalisedRows: number[];
    oneHotCrossEntropy: CompensatedSum;
  },
): number {
  const { labels, values, n, k, firstRow, stride } = rows;
  const { nll, confidence, predicted, smoothing, notNormalisedRows, oneHotCrossEntropy } = out;
  const weight = options.weight;
  const { kind, ignoreIndex } = options;
  let notNormalisedCount = 0;
  const scratch = new Float64Array(k);
  for (let i = 0, offset = 0; i < n; i++, offset += stride) {
    const label = labels[i]!;
    if (label === ignoreIndex) {
      predicted[i] = -1;
      continue;
    }
    if (!(label >= 0 && label < k && label === Math.floor(label))) {
      throw new RowError(firstRow + i, Number.isNaN(label) ? 'the label is missing (NaN)' : `label ${label} is not a class index in 0..${k - 1}`);
    }
    let best = 0;
    let max = values[offset]!;
    for (let j = 1; j < k; j++) {
      const v = values[offset + j]!;
      if (v > max) {
        max = v;
        best = j;
      }
    }
    predicted[i] = best;
    const own = values[offset + label]!;
    // The one-hot p(c|x) is 1 at class y and 0 elsewhere: each loop over the classes also sums
    // p_c times the row's log-probability, a select rather than a product so that 0 log 0 = 0.
    const y = label | 0;
    if (kind === 'logits') {
      let total = 0;
      // sum_c p_c z_c: then -sum_c p_c log q_c = -sum_c p_c (z_c - lse) = lse - sum_c p_c z_c, as p sums to 1.
      let weightedLogits = 0;
      for (let j = 0; j < k; j++) {
        const v = values[offset + j]!;
        total += expNonPositive(v - max);
        weightedLogits += j === y ? v : 0;
      }
      // total >= 1 (the maximum contributes exp(0)); NaN or an infinite max means a bad value.
      if (!(total >= 1) || !(max - max === 0)) badRow(values, offset, k, kind, firstRow + i);
      const lse = max + Math.log(total);
      nll[i] = lse - own;
      oneHotCrossEntropy.add(lse - weightedLogits);
      confidence[i] = 1 / total;
      if (smoothing) smoothing[i] = weightedNegativeLogs(values, offset, k, weight, lse);
      continue;
    }
    // Probabilities and log-probabilities are range-checked value by value.
    let total = 0;
    let crossEntropy = 0;
    if (kind === 'probs') {
      // The one log a row of probabilities needs: the label's (p_c = 0 elsewhere).
      const logOwn = Math.log(own);
      for (let j = 0; j < k; j++) {
        const v = values[offset + j]!;
        if (!(v >= 0 && v <= 1)) badRow(values, offset, k, kind, firstRow + i);
        total += v;
        crossEntropy -= j === y ? logOwn : 0;
      }
      nll[i] = -logOwn;
      confidence[i] = max;
      if (smoothing) {
        for (let j = 0; j < k; j++) scratch[j] = Math.log(values[offset + j]!);
        smoothing[i] = weightedNegativeLogs(scratch, 0, k, weight, 0);
      }
    } else {
      for (let j = 0; j < k; j++) {
        const v = values[offset + j]!;
        if (!(v <= 0)) badRow(values, offset, k, kind, firstRow + i);
        total += expNonPositive(v - max);
        crossEntropy -= j === y ? v : 0;
      }
      total *= Math.exp(max);
      nll[i] = -own;
      confidence[i] = Math.exp(max);
      if (smoothing) smoothing[i] = weightedNegativeLogs(values, offset, k, weight, 0);
    }
    oneHotCrossEntropy.add(crossEntropy);
    if (k > 1 && !(Math.abs(total - 1) <= ROW_SUM_TOLERANCE)) {
      notNormalisedCount++;
      if (notNormalisedRows.length < NOTED_ROWS) notNormalisedRows.push(i);
    }
  }
  return notNormalisedCount;
}

/**
 * scoreRowsInto's logits rows on the WebAssembly kernel, the same figures to rounding. False when
 * a label or a row is bad, with nothing added to the sum (the JavaScript loop then names it), or
 * when the kernel declined them.
 */
function scoreLogitsOnKernel(
  kernel: LogSumExpKernel,
  rows: { labels: ArrayLike<number>; values: Float64Array | Float32Array; n: number; k: number; stride: number },
  options: RowScoreOptions,
  out: { nll: Float64Array; confidence: Float64Array; predicted: Int32Array; smoothing: Float64Array | undefined; oneHotCrossEntropy: CompensatedSum },
): boolean {
  const { labels, values, n, k, stride } = rows;
  const { ignoreIndex, weight } = options;
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    if (label === ignoreIndex) ids[i] = -1;
    else if (label >= 0 && label < k && label === Math.floor(label)) ids[i] = label;
    else return false;
  }
  const { nll, confidence, predicted, smoothing, oneHotCrossEntropy } = out;
  const bad = kernel.score(values, 0, stride, n, k, ids, (figures, first, rows) => {
    for (let r = 0, at = 0; r < rows; r++, at += ROW_FIGURES) {
      const i = first + r;
      if (ids[i]! < 0) {
        predicted[i] = -1;
        continue;
      }
      const rest = figures[at + FIGURE_REST]!;
      const lse = figures[at + FIGURE_MAX]! + Math.log1p(rest);
      nll[i] = lse - figures[at + FIGURE_PICKED]!;
      confidence[i] = 1 / (1 + rest);
      predicted[i] = figures[at + FIGURE_ARGMAX]!;
      if (smoothing) smoothing[i] = weightedNegativeLogs(values, i * stride, k, weight, lse);
    }
  });
  // A bad row, or the kernel's memory could not grow.
  if (bad !== -1) return false;
  // With one-hot p, -sum_c p_c log q_c is the label's own -log q: the same number as nll.
  for (let i = 0; i < n; i++) if (ids[i]! >= 0) oneHotCrossEntropy.add(nll[i]!);
  return true;
}

/**
 * Classifier rows of few classes, each finished on the kernel (nll, confidence, argmax and the
 * sum of the nll, which with one-hot p is the cross-entropy): the same figures as scoreRowsInto to
 * rounding. False when a label or a row is bad, with nothing added to the sum (the JavaScript loop
 * then names it), or when the kernel declined them.
 */
function classifyOnKernel(
  kernel: LogSumExpKernel,
  rows: { labels: ArrayLike<number>; values: Float64Array | Float32Array; n: number; k: number; stride: number },
  ignoreIndex: number,
  out: { nll: Float64Array; confidence: Float64Array; predicted: Int32Array; oneHotCrossEntropy: CompensatedSum },
): boolean {
  // Fewer labels than rows: the JavaScript loop names the first row without one.
  if (rows.labels.length < rows.n) return false;
  const { bad, sum, compensation } = kernel.classify(rows.values, rows.stride, rows.n, rows.k, rows.labels, ignoreIndex, out);
  if (bad !== -1) return false;
  out.oneHotCrossEntropy.merge({ sum, compensation });
  return true;
}

/** sum_c w_c (shift - v_c): with v the logits and shift their log-sum-exp, or v = log q and shift 0, it is sum_c w_c (-log q_c). */
function weightedNegativeLogs(values: ArrayLike<number>, offset: number, k: number, weight: ArrayLike<number> | undefined, shift: number): number {
  let total = 0;
  for (let j = 0; j < k; j++) total += (weight ? weight[j]! : 1) * (shift - values[offset + j]!);
  return total;
}

/** The values as the typed array scoreRows reads: as they are, or copied once from any other array. */
export function typedValues(values: ArrayLike<number>): Float64Array | Float32Array {
  return values instanceof Float64Array || values instanceof Float32Array ? values : Float64Array.from(values);
}

/** Lets the row-by-row conversion name what is wrong with the row; it always throws here. */
function badRow(values: ArrayLike<number>, offset: number, k: number, kind: PredictionKind, row: number): never {
  logProbabilityRow(values, offset, k, kind, row, new Float64Array(k));
  throw new RowError(row, `the ${kind} of this row are not valid`);
}
