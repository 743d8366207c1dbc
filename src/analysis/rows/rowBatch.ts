import type { RowMatrix } from '../../engine/reduction';
import { RowError } from '../../engine/rowError';
import { DataFileError } from '../../readers/errors';
import { IN_MEMORY_BATCH_ROWS } from '../sizes';
import type { CategoricalBlock } from '../../engine/categoricalBlock';

/**
 * Rows of the columns a task reads, row-major and in file order: what the soft, regression
 * and fit passes consume, whichever reader (streamed CSV, table, tensors) produced them.
 */
export interface RowBatch {
  readonly rows: number;
  readonly firstRow: number;
  /** rows x width values, the task's columns side by side in the order its roles list them. */
  readonly values: Float64Array;
  /** 1-based line of each row in a text file. */
  readonly lines?: ArrayLike<number>;
  /** The file row of each row, when rows were left out (a missing value) and they no longer follow on from firstRow. */
  readonly fileRows?: ArrayLike<number>;
}

/** In-memory columns (or tensor rows) as batches, so every source goes through the same pass. */
export function* rowBatches(columns: readonly RowMatrix[], lines?: ArrayLike<number>, size = IN_MEMORY_BATCH_ROWS): Generator<RowBatch> {
  const n = columns[0]?.n ?? 0;
  const width = columns.reduce((total, column) => total + column.k, 0);
  for (let start = 0; start < n; start += size) {
    const end = Math.min(n, start + size);
    const values = new Float64Array((end - start) * width);
    for (let i = start, to = 0; i < end; i++) {
      for (const { k, values: source } of columns) for (let j = 0; j < k; j++) values[to++] = source[i * k + j]!;
    }
    yield { rows: end - start, firstRow: start, values, ...(lines ? { lines: Array.prototype.slice.call(lines, start, end) as number[] } : {}) };
  }
}

/** Columns [from, from + k) of every row of a batch. */
export function blockOf(batch: RowBatch, width: number, from: number, k: number): RowMatrix & { readonly values: Float64Array } {
  if (from === 0 && k === width) return { n: batch.rows, k, values: batch.values };
  const values = new Float64Array(batch.rows * k);
  for (let i = 0; i < batch.rows; i++) for (let j = 0; j < k; j++) values[i * k + j] = batch.values[i * width + from + j]!;
  return { n: batch.rows, k, values };
}

/**
 * Feeds batches to a pass and turns a RowError into a DataFileError that names the file and
 * the row: by its line while the batch is in hand, else as `rowName` describes it.
 */
export async function consumeBatches<B extends { readonly firstRow: number; readonly lines?: ArrayLike<number>; readonly fileRows?: ArrayLike<number> }>(
  fileName: string,
  rowName: (row: number) => string,
  batches: Iterable<B> | AsyncIterable<B>,
  consume: (batch: B) => void,
): Promise<void> {
  try {
    for await (const batch of batches) {
      try {
        consume(batch);
      } catch (error) {
        if (error instanceof RowError && batch.lines) throw new DataFileError(fileName, `line ${batch.lines[error.row - batch.firstRow]}`, error.reason);
        if (error instanceof RowError && batch.fileRows) throw new DataFileError(fileName, rowName(batch.fileRows[error.row - batch.firstRow]!), error.reason);
        if (error instanceof RangeError) throw new DataFileError(fileName, '', error.message);
        throw error;
      }
    }
  } catch (error) {
    if (error instanceof RowError) throw new DataFileError(fileName, rowName(error.row), error.reason);
    throw error;
  }
}

/** A block of rows already scored and reduced, with their labels and lines. */
export interface ReducedBatch {
  readonly labels: ArrayLike<number>;
  readonly firstRow: number;
  readonly lines?: ArrayLike<number>;
  /** Per slice column, each row's slice code. */
  readonly sliceKeys?: readonly ArrayLike<number>[];
  readonly block: CategoricalBlock;
}
