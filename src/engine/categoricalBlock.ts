import { ReliabilityState, type ReliabilityData } from './calibration';
import { CrossEntropyState, DEFAULT_IGNORE_INDEX, scoreOptionsFor, type CrossEntropyData, type CrossEntropyOptions } from './crossEntropyLoss';
import { CategoricalFitState, type CategoricalFitData } from './fits/categoricalFit';
import { firstMissingRow, isMissingRow, MissingRows, NO_MISSING_ROWS, type MissingRowsData } from './missingValues';
import { MAX_CLASS_TABLE, PerClassState, type PerClassData } from './perClass';
import { RowError } from './rowError';
import { scoreRows, type RowScores } from './rowScores';

/**
 * The mergeable part of a classifier's pass over one block of scored rows: its cross-entropy
 * sums, reliability bins and label counts, with each row's loss for what must follow file
 * order (the plot sketch). Plain data, so a block can be reduced on any thread and merged in
 * file order; a pass on one thread reduces the same blocks, so both give the same sums.
 */
export interface CategoricalBlock {
  readonly crossEntropy: CrossEntropyData;
  readonly reliability: ReliabilityData;
  /** The labels' counts, for the unconditional MLE (ignored rows left out). */
  readonly labelCounts: CategoricalFitData;
  /** F.cross_entropy(reduction='none') of each row: 0 for ignored rows. */
  readonly losses: Float64Array;
  /** Each row's top class (torch.argmax), -1 for ignored rows: whether it was right, for comparing two models. */
  readonly predicted: Int32Array;
  /** Each row's top-class probability: the reliability bootstrap, keyed by the row's place in the file, is drawn where blocks are merged in order. */
  readonly confidence: Float64Array;
  /** Each row's reliability bin x 2, plus 1 when its top class was right; -1 for ignored rows: what that bootstrap reads with the confidence. */
  readonly reliabilityBins: Int16Array;
  /** Support, cross-entropy, recall and calibration by class, up to MAX_CLASS_TABLE classes. */
  readonly perClass?: PerClassData;
  /** Rows of probabilities that do not sum to 1: how many, and the first few (file rows). */
  readonly notNormalisedCount: number;
  readonly notNormalisedRows: readonly number[];
  /** Rows left out for a missing value (NaN label or score): scored as ignored rows, counted apart from them. */
  readonly missing: MissingRowsData;
}

/**
 * Scores n rows (row i's K values at values[i * stride ..]) for a cross-entropy with `options`
 * and reduces them into a block; a RowError names a bad row (from `firstRow`).
 */
export function scoreBlock(
  k: number,
  options: CrossEntropyOptions,
  labels: ArrayLike<number>,
  values: Float32Array | Float64Array,
  n: number,
  firstRow: number,
  stride = k,
): CategoricalBlock {
  const scoreOptions = scoreOptionsFor(options);
  let scored: RowScores;
  try {
    scored = scoreRows(labels, values, n, k, firstRow, scoreOptions, stride);
  } catch (error) {
    // Every NaN label or score stops scoreRows, so a file without missing values never pays for
    // looking for them: only a block that failed is searched, and scored again without them.
    const first = error instanceof RowError && !options.strictMissing ? firstMissingRow(labels, values, n, k, stride) : -1;
    if (first < 0) throw error;
    return scoreBlockWithout(k, options, labels, values, n, firstRow, stride, first);
  }
  return reduceCategoricalBlock(k, options, labels, scored, firstRow);
}

/**
 * A block whose rows from `first` on include some with a missing value (a NaN label or score):
 * scored with those rows as ignored ones (their values never read), on a copy of the labels, and
 * counted apart from the ignore index's rows.
 */
function scoreBlockWithout(
  k: number,
  options: CrossEntropyOptions,
  labels: ArrayLike<number>,
  values: Float32Array | Float64Array,
  n: number,
  firstRow: number,
  stride: number,
  first: number,
): CategoricalBlock {
  const missing = new MissingRows();
  const ignore = options.ignoreIndex ?? DEFAULT_IGNORE_INDEX;
  const kept = Float64Array.from({ length: n }, (_, i) => labels[i]!);
  for (let i = first; i < n; i++) {
    if (kept[i] === ignore || !isMissingRow(labels, values, i, k, stride)) continue;
    kept[i] = ignore;
    missing.add(firstRow + i);
  }
  const block = reduceCategoricalBlock(k, options, kept, scoreRows(kept, values, n, k, firstRow, scoreOptionsFor(options), stride), firstRow);
  (block.crossEntropy as CrossEntropyState).ignored -= missing.count;
  return { ...block, missing: { count: missing.count, rows: missing.rows } };
}

export function reduceCategoricalBlock(
  k: number,
  options: CrossEntropyOptions,
  labels: ArrayLike<number>,
  scored: RowScores,
  firstRow: number,
): CategoricalBlock {
  const crossEntropy = new CrossEntropyState(k, options);
  const losses = crossEntropy.consumeScores(labels, scored, firstRow);
  // No bootstrap here: a thread may not know its block's first row (a CSV's byte range), which keys the weights.
  const reliability = new ReliabilityState(k, options.kind, undefined, 0);
  const reliabilityBins = reliability.consumeScores(labels, scored, firstRow);
  // scoreRows has checked every label is below k: a classifier may have more classes than a fit allows alone.
  let perClass: PerClassState | undefined;
  if (k <= MAX_CLASS_TABLE) {
    perClass = new PerClassState(k);
    perClass.consumeScores(labels, scored);
  }
  const labelCounts = new CategoricalFitState(k);
  if (perClass) {
    // The rows not ignored are those the per-class table counted by label: its support is the
    // labels' counts, up to the largest label seen, without another pass over the rows.
    let last = k - 1;
    while (last >= 0 && perClass.support[last] === 0) last--;
    const counts = Array.from(perClass.support.subarray(0, last + 1));
    labelCounts.merge({ n: counts.reduce((a, b) => a + b, 0), counts });
  } else {
    const ignore = options.ignoreIndex ?? DEFAULT_IGNORE_INDEX;
    labelCounts.consume({
      values: crossEntropy.ignored > 0 ? (Array.prototype.filter.call(labels, (label: number) => label !== ignore) as number[]) : labels,
      firstRow,
    });
  }
  return {
    crossEntropy,
    reliability,
    labelCounts,
    losses,
    predicted: scored.predicted,
    confidence: scored.confidence,
    reliabilityBins,
    ...(perClass ? { perClass } : {}),
    notNormalisedCount: scored.notNormalisedCount,
    notNormalisedRows: scored.notNormalisedRows.map((row) => firstRow + row),
    missing: NO_MISSING_ROWS,
  };
}

/** The block with the rows it names moved by `offset`: a block reduced with rows counted from 0, placed in its file. */
export function shiftRows(block: CategoricalBlock, offset: number): CategoricalBlock {
  const { likelihood } = block.crossEntropy;
  return {
    ...block,
    crossEntropy: { ...block.crossEntropy, likelihood: { ...likelihood, infiniteRows: likelihood.infiniteRows.map((row) => row + offset) } },
    notNormalisedRows: block.notNormalisedRows.map((row) => row + offset),
    missing: { count: block.missing.count, rows: block.missing.rows.map((row) => row + offset) },
  };
}
