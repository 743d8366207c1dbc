import { MeanVarianceState } from './meanVariance';
import { proportionStandardError } from './uncertainty';

/** Distinct values a slice column keeps; any other value counts as OTHER_SLICE. */
export const MAX_SLICES = 64;
/** Columns of a file that slice its rows, at most. */
export const MAX_SLICE_COLUMNS = 4;
export const OTHER_SLICE = 'other';

/** A column that groups the rows: its name and the values that have their own slice (code = index). */
export interface SliceColumn {
  readonly name: string;
  /** At most MAX_SLICES; code values.length is every other value. */
  readonly values: readonly string[];
}

/** One row of the per-slice table. */
export interface SliceFigures {
  readonly value: string;
  readonly rows: number;
  /** Mean per-row loss over the slice's rows, and its std (ddof 1) / sqrt rows. */
  readonly crossEntropy: number;
  readonly crossEntropyStdError: number;
  /** Share of the slice's rows whose top class is the label, with std(correct, ddof 1) / sqrt rows. */
  readonly accuracy: number;
  readonly accuracyStdError: number;
}

export interface SliceTable {
  readonly column: string;
  readonly slices: readonly SliceFigures[];
}

/**
 * Per-slice cross-entropy and accuracy of a classifier, one group-by per slice column: rows
 * arrive in any blocks with each row's code per column, its loss, label and top class.
 */
export class SliceState {
  private readonly losses: MeanVarianceState[][];
  private readonly correct: number[][];

  constructor(readonly columns: readonly SliceColumn[]) {
    if (columns.length > MAX_SLICE_COLUMNS) throw new RangeError(`at most ${MAX_SLICE_COLUMNS} slice columns, got ${columns.length}`);
    for (const column of columns)
      if (column.values.length > MAX_SLICES) throw new RangeError(`at most ${MAX_SLICES} slices in column '${column.name}', got ${column.values.length}`);
    this.losses = columns.map((column) => Array.from({ length: column.values.length + 1 }, () => new MeanVarianceState()));
    this.correct = columns.map((column) => new Array<number>(column.values.length + 1).fill(0));
  }

  /**
   * Adds rows: codes[c][i] is row i's slice in column c (a code past the values is "other"),
   * losses[i] its loss, labels[i] and predicted[i] its label and top class. Rows whose `skip`
   * is true (ignored labels) are left out.
   */
  add(
    codes: readonly ArrayLike<number>[],
    losses: ArrayLike<number>,
    labels: ArrayLike<number>,
    predicted: ArrayLike<number>,
    skip?: (i: number) => boolean,
  ): void {
    for (let c = 0; c < this.columns.length; c++) {
      const columnCodes = codes[c]!;
      const states = this.losses[c]!;
      const correct = this.correct[c]!;
      const other = states.length - 1;
      for (let i = 0; i < losses.length; i++) {
        if (skip?.(i)) continue;
        const code = Math.min(other, columnCodes[i]!);
        states[code]!.add(losses[i]!);
        if (predicted[i] === labels[i]) correct[code]!++;
      }
    }
  }

  /** Each column's slices in the order of its values, "other" last; slices without rows are left out. */
  tables(): SliceTable[] {
    return this.columns.map((column, c) => ({
      column: column.name,
      slices: this.losses[c]!.flatMap((state, code) => {
        if (state.count === 0) return [];
        const rows = state.count;
        const correct = this.correct[c]![code]!;
        return [
          {
            value: code < column.values.length ? column.values[code]! : OTHER_SLICE,
            rows,
            crossEntropy: state.sum.value / rows,
            crossEntropyStdError: state.standardDeviation / Math.sqrt(rows),
            accuracy: correct / rows,
            accuracyStdError: proportionStandardError(correct, rows),
          },
        ];
      }),
    }));
  }
}
