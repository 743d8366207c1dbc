import type { ByteSource } from './byteSource';
import { DataFileError, quoteName } from './errors';
import { readJsonLines, type JsonLinesOptions } from './jsonLines';
import type { Table } from './table';

/** Columns a record may spread into: a list longer than this is not a row of class scores. */
export const MAX_JSON_COLUMNS = 1 << 16;

/**
 * JSON Lines records as a table: a number is a column, a list of numbers K columns named
 * key_0 .. key_{K-1} (so `{"label": 2, "logits": [...]}` reads as the CSV label, logits_0, ...
 * would). The first record fixes the columns; a later record without one is refused at its line.
 */
export async function readJsonLinesTable(source: ByteSource, options: JsonLinesOptions = {}): Promise<Table> {
  let layout: { readonly key: string; readonly width: number }[] | undefined;
  let columns: number[][] = [];
  const lines: number[] = [];
  for await (const { line, value } of readJsonLines(source, options)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new DataFileError(source.name, `line ${line}`, 'not a JSON object: each line should be one record such as {"label": 2, "logits": [...]}');
    const record = value as Record<string, unknown>;
    if (!layout) {
      layout = [];
      for (const [key, cell] of Object.entries(record)) {
        if (typeof cell === 'number') layout.push({ key, width: 0 });
        else if (Array.isArray(cell) && cell.length > 0 && cell.length <= MAX_JSON_COLUMNS && cell.every((v) => typeof v === 'number'))
          layout.push({ key, width: cell.length });
      }
      if (layout.length === 0) throw new DataFileError(source.name, `line ${line}`, 'the record has no number or list of numbers to read');
      columns = layout.flatMap(({ width }) => Array.from({ length: Math.max(1, width) }, () => [] as number[]));
    }
    let at = 0;
    for (const { key, width } of layout) {
      const cell = record[key];
      if (width === 0) {
        if (typeof cell !== 'number')
          throw new DataFileError(
            source.name,
            `line ${line}`,
            `${quoteName(key)} is ${cell === undefined ? 'missing' : `${JSON.stringify(cell).slice(0, 40)}, not a number`}`,
          );
        columns[at++]!.push(cell);
      } else {
        if (!Array.isArray(cell) || cell.length !== width)
          throw new DataFileError(source.name, `line ${line}`, `${quoteName(key)} should be a list of ${width} numbers, as on the first record`);
        for (let j = 0; j < width; j++) {
          const v = cell[j] as unknown;
          columns[at++]!.push(typeof v === 'number' ? v : Number.NaN);
        }
      }
    }
    lines.push(line);
  }
  if (!layout) throw new DataFileError(source.name, '', 'there are no records');
  const names = layout.flatMap(({ key, width }) => (width === 0 ? [key] : Array.from({ length: width }, (_, j) => `${key}_${j}`)));
  return {
    format: 'JSON Lines',
    columns: names.map((name, i) => ({ name, values: Float64Array.from(columns[i]!) })),
    rowCount: lines.length,
    rowLines: Uint32Array.from(lines),
  };
}
