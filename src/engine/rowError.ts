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
