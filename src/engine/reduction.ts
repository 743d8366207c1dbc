/** How per-row losses are combined, with PyTorch's names. */
export type Reduction = 'mean' | 'sum' | 'none';

/**
 * A reduction over rows that can be fed in chunks and combined: a file read in pieces, or
 * split across workers, gives the same result as one pass over all rows.
 */
export interface StreamingState<Chunk, Self> {
  consume(chunk: Chunk): unknown;
  merge(other: Self): void;
}

/** n rows of k values, row-major (class scores, targets, regression outputs). */
export interface RowMatrix {
  readonly n: number;
  readonly k: number;
  readonly values: ArrayLike<number>;
}

/** Rows with their class labels; `firstRow` is the file row of the chunk's first row, for errors and row indices. */
export interface LabelledRows {
  readonly labels: ArrayLike<number>;
  readonly scores: RowMatrix;
  readonly firstRow?: number;
}

/** One column of values, e.g. for an unconditional fit. */
export interface ColumnChunk {
  readonly values: ArrayLike<number>;
  readonly firstRow?: number;
}
