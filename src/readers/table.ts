/** A file read as named columns of numbers, the common shape every reader produces. */
export interface NumericColumn {
  readonly name: string;
  /** One value per row; empty cells and NaN spellings are NaN. */
  readonly values: Float64Array;
}

export interface Table {
  readonly format: string;
  readonly columns: readonly NumericColumn[];
  readonly rowCount: number;
  /**
   * For text formats: the 1-based line on which each data row starts, so a row can be
   * revealed in the editor and named in messages (a quoted field may span lines).
   */
  readonly rowLines?: Uint32Array;
}

export function columnByName(table: Table, name: string): NumericColumn | undefined {
  return table.columns.find((column) => column.name === name);
}

/** "line 12" for text formats, "row 12" (0-based index) otherwise. */
export function describeRow(table: Table, row: number): string {
  return table.rowLines ? `line ${table.rowLines[row]}` : `row ${row}`;
}
