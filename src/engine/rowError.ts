import type { RowMatrix } from './reduction';
/** Bad data at one row (0-based), raised by the engine; the analysis layer turns it into a file and line. */
export class RowError extends Error {
  override readonly name = 'RowError';

  constructor(
    readonly row: number,
    readonly reason: string,
  ) {
    super(`row ${row}: ${reason}`);
  }
}

/**
 * A chunk's targets and predictions must both be n rows of k values: a width mismatch is a
 * programming error, a short side is named at the first row it lacks.
 */
export function checkPairedRows(targets: RowMatrix, predictions: RowMatrix, k: number, firstRow: number): void {
  if (targets.k !== k || predictions.k !== k) throw new RangeError(`targets have ${targets.k} columns and predictions ${predictions.k}, expected ${k}`);
  if (targets.n !== predictions.n)
    throw new RowError(firstRow + Math.min(targets.n, predictions.n), `${targets.n} target rows for ${predictions.n} prediction rows`);
}
