import { NOTED_ROWS } from './rowScores';

/** Rows left out for a missing value (NaN: a null, an empty cell): how many, and the first NOTED_ROWS file rows, as plain data. */
export interface MissingRowsData {
  readonly count: number;
  readonly rows: readonly number[];
}

export const NO_MISSING_ROWS: MissingRowsData = { count: 0, rows: [] };

/** The missing rows of blocks merged in file order. */
export class MissingRows implements MissingRowsData {
  count = 0;
  readonly rows: number[] = [];

  add(row: number): void {
    this.count++;
    if (this.rows.length < NOTED_ROWS) this.rows.push(row);
  }

  merge(other: MissingRowsData): void {
    this.count += other.count;
    for (const row of other.rows) {
      if (this.rows.length >= NOTED_ROWS) break;
      this.rows.push(row);
    }
  }
}

/**
 * Whether row i of n rows, `width` values each (values[i * stride ..]), has a NaN in its label
 * (when labels are given) or its values: the first such row, or -1. One comparison a value and
 * no allocation, so a file without missing values pays one pass over its numbers.
 */
export function firstMissingRow(labels: ArrayLike<number> | undefined, values: ArrayLike<number>, n: number, width: number, stride = width): number {
  for (let i = 0, offset = 0; i < n; i++, offset += stride) {
    if (labels && labels[i] !== labels[i]) return i;
    for (let j = 0; j < width; j++) {
      const v = values[offset + j]!;
      if (v !== v) return i;
    }
  }
  return -1;
}

/** Whether row i (0-based in the batch) has a NaN, as firstMissingRow reads it. */
export function isMissingRow(labels: ArrayLike<number> | undefined, values: ArrayLike<number>, i: number, width: number, stride = width): boolean {
  if (labels && labels[i] !== labels[i]) return true;
  for (let j = 0, offset = i * stride; j < width; j++) {
    const v = values[offset + j]!;
    if (v !== v) return true;
  }
  return false;
}
