import { CompensatedSum } from '../compensatedSum';
import type { ColumnChunk, StreamingState } from '../reduction';
import { RowError } from '../rowError';
import { DEFAULT_GRID_POINTS, curveWithMaximum, linearGrid, xlogy, type FitResult } from './likelihoodCurve';

/** A CategoricalFitState's counts as plain data, as merge() reads them. */
export interface CategoricalFitData {
  readonly n: number;
  readonly counts: readonly number[];
}

/**
 * The most classes a categorical fit holds unless told otherwise: it keeps a count for every
 * index up to the largest, so an index read from a file sizes that array. 2^18 is above the
 * largest tokenizer vocabularies (about 256k ids); a larger index is an id or a measurement.
 */
export const MAX_CATEGORICAL_CLASSES = 2 ** 18;

/** Sufficient statistics of a categorical sample: the count of each class index 0, 1, ... */
export class CategoricalFitState implements StreamingState<ColumnChunk, CategoricalFitData>, CategoricalFitData {
  n = 0;
  readonly counts: number[] = [];

  /** maxClasses: the class indices allowed are 0 .. maxClasses - 1 (a classifier's K). */
  constructor(readonly maxClasses = MAX_CATEGORICAL_CLASSES) {}

  consume(chunk: ColumnChunk): void {
    const first = chunk.firstRow ?? 0;
    for (let i = 0; i < chunk.values.length; i++) {
      const v = chunk.values[i]!;
      if (!Number.isInteger(v) || v < 0)
        throw new RowError(first + i, Number.isNaN(v) ? 'the value is missing (NaN)' : `${v} is not a class index (a non-negative integer)`);
      if (v >= this.maxClasses) throw new RowError(first + i, `${v} is beyond the largest class index a categorical fit holds (${this.maxClasses - 1})`);
      while (this.counts.length <= v) this.counts.push(0);
      this.counts[v]!++;
      this.n++;
    }
  }

  merge(other: CategoricalFitData): void {
    this.n += other.n;
    other.counts.forEach((c, j) => {
      while (this.counts.length <= j) this.counts.push(0);
      this.counts[j]! += c;
    });
  }

  /** log L(pi) = sum_c n_c log pi_c. */
  logLikelihood(probabilities: ArrayLike<number>): number {
    const sum = new CompensatedSum();
    this.counts.forEach((c, j) => sum.add(xlogy(c, probabilities[j] ?? 0)));
    return sum.value;
  }

  /**
   * MLE pi_c = n_c / n. The curve varies the most frequent class's probability t and scales
   * the others to share 1 - t in their fitted proportions (a profile through the MLE):
   * log L(t) = n_top log t + sum_{c != top} n_c log pi_c + (n - n_top) log((1 - t) / (1 - pi_top)),
   * so each point costs O(1) however many classes there are.
   */
  fit(gridPoints = DEFAULT_GRID_POINTS): FitResult<{ probabilities: number[] }> {
    const probabilities = this.counts.map((c) => c / this.n);
    const logLikelihood = this.logLikelihood(probabilities);
    let top = 0;
    this.counts.forEach((c, j) => {
      if (c > this.counts[top]!) top = j;
    });
    const pTop = probabilities[top]!;
    const nTop = this.counts[top] ?? 0;
    const others = new CompensatedSum();
    this.counts.forEach((c, j) => {
      if (j !== top) others.add(xlogy(c, probabilities[j]!));
    });
    const rest = others.value;
    // With pi_top = 1 the other classes have no rows, and their term is 0 log 0 = 0.
    const along = (t: number): number => xlogy(nTop, t) + rest + xlogy(this.n - nTop, (1 - t) / (1 - pTop));
    const grid = linearGrid(0.5 / gridPoints, 1 - 0.5 / gridPoints, gridPoints);
    const curve = curveWithMaximum(`pi_${top}`, grid, pTop, along);
    return { family: 'categorical', n: this.n, estimates: { probabilities }, logLikelihood, averageNll: -logLikelihood / this.n, curves: [curve] };
  }
}

export function fitCategorical(values: ArrayLike<number>, gridPoints?: number): FitResult<{ probabilities: number[] }> {
  const state = new CategoricalFitState();
  state.consume({ values });
  return state.fit(gridPoints);
}
