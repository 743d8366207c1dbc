/** A file read as named columns of numbers, the common shape every reader produces. */
export interface NumericColumn {
  readonly name: string;
  /** One value per row; empty cells, NaN spellings and cells that are not numbers are NaN. */
  readonly values: Float64Array;
  /** Cells that are not numbers at all (the first hundred), in a mostly numeric column. */
  readonly invalid?: readonly InvalidCell[];
  readonly invalidCount?: number;
  /** 0-based position of the column among the file's fields (text formats). */
  readonly field?: number;
}

export interface InvalidCell {
  readonly row: number;
  readonly text: string;
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
  /** What the reader noticed without failing (int64 values beyond 2^53, ...). */
  readonly warnings?: readonly string[];
  /** Columns of text the reader listed but did not read (Parquet), so a message can say why one is not a number column. */
  readonly textColumns?: readonly { readonly name: string }[];
}

// Built once per table: looking up every prediction column by a search would be quadratic in a wide file.
const columnsByName = new WeakMap<Table, Map<string, NumericColumn>>();

export function columnByName(table: Table, name: string): NumericColumn | undefined {
  let byName = columnsByName.get(table);
  if (!byName) {
    byName = new Map();
    // The first column of a name wins, as a search from the left would find it.
    for (const column of table.columns) if (!byName.has(column.name)) byName.set(column.name, column);
    columnsByName.set(table, byName);
  }
  return byName.get(name);
}

/** "line 12" for text formats, "row 12" (0-based index) otherwise. */
export function describeRow(table: Table, row: number): string {
  return table.rowLines ? `line ${table.rowLines[row]}` : `row ${row}`;
}
