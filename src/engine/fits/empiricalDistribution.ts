import { CompensatedSum } from '../compensatedSum';
import type { ColumnChunk, StreamingState } from '../reduction';

/** Distinct values the table keeps before it is dropped: a column of reals has about one per row. */
export const MAX_DISTINCT_VALUES = 4096;

/** log L summed over a column's distinct values, each once with its count. */
export interface EmpiricalSum {
  readonly distinct: number;
  readonly logLikelihood: number;
}

/**
 * The empirical distribution of a column as its distinct values and their counts, streamed
 * beside a fit's sufficient statistics: sum_v count(v) log q(v) is -n times the cross-entropy
 * between the data and the model, by another route than the fit's sum over rows. Past
 * MAX_DISTINCT_VALUES the table is dropped, so memory stays bounded whatever the file holds.
 */
export class EmpiricalDistributionState implements StreamingState<ColumnChunk, EmpiricalDistributionState> {
  n = 0;
  /** How many distinct values were seen, while the table is kept. */
  distinct = 0;
  /**
   * Counts of the integers 0 .. MAX_DISTINCT_VALUES - 1 by index (labels, counts), and of every
   * other value by key: a Map lookup per row would cost more than the fit itself. Both
   * undefined once the table is dropped.
   */
  private integers: Float64Array | undefined = new Float64Array(MAX_DISTINCT_VALUES);
  private others: Map<number, number> | undefined = new Map();

  consume(chunk: ColumnChunk): void {
    const { values } = chunk;
    this.n += values.length;
    for (let i = 0; i < values.length && this.integers; i++) this.add(values[i]!, 1);
  }

  merge(other: EmpiricalDistributionState): void {
    this.n += other.n;
    if (!other.integers) this.drop();
    for (const [value, count] of other.entries()) {
      if (!this.integers) break;
      this.add(value, count);
    }
  }

  get dropped(): boolean {
    return this.integers === undefined;
  }

  /** Each distinct value with its count (nothing once the table is dropped). */
  *entries(): Generator<[number, number]> {
    const integers = this.integers;
    if (!integers || !this.others) return;
    for (let v = 0; v < integers.length; v++) if (integers[v]! > 0) yield [v, integers[v]!];
    yield* this.others;
  }

  /** sum_v count(v) log q(v) over the distinct values, or undefined when the table was dropped. */
  sum(logDensity: (value: number) => number): EmpiricalSum | undefined {
    if (this.dropped) return undefined;
    const total = new CompensatedSum();
    for (const [value, count] of this.entries()) total.add(count * logDensity(value));
    return { distinct: this.distinct, logLikelihood: total.value };
  }

  private add(value: number, count: number): void {
    const integers = this.integers!;
    if (value >= 0 && value < integers.length && Number.isInteger(value)) {
      if (integers[value] === 0) this.distinct++;
      integers[value] += count;
    } else {
      const others = this.others!;
      const before = others.get(value);
      if (before === undefined) this.distinct++;
      others.set(value, (before ?? 0) + count);
    }
    if (this.distinct > MAX_DISTINCT_VALUES) this.drop();
  }

  private drop(): void {
    this.integers = undefined;
    this.others = undefined;
  }
}
