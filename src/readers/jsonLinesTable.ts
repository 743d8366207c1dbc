import type { ByteSource } from './byteSource';
import { DataFileError, quoteName } from './errors';
import { readJsonLines, type JsonLinesOptions } from './jsonLines';
import type { Table } from './table';

/** Columns a record may spread into: a list longer than this is not a row of class scores. */
export const MAX_JSON_COLUMNS = 1 << 16;

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITE = /^([+-]?)inf(?:inity)?$/i;
const NOT_A_NUMBER = /^[+-]?nan$/i;

/**
 * The number a JSON string spells as Python's float() reads it, which pandas applies to a
 * column of strings that are all numbers: decimals with white space around them, inf, infinity
 * and nan in any case. Undefined for anything else (hexadecimal included, which float() refuses).
 */
export function numberInString(text: string): number | undefined {
  const trimmed = text.trim();
  if (DECIMAL.test(trimmed)) return Number(trimmed);
  const infinite = INFINITE.exec(trimmed);
  if (infinite) return infinite[1] === '-' ? -Infinity : Infinity;
  if (NOT_A_NUMBER.test(trimmed)) return Number.NaN;
  return undefined;
}

/** A record's cell as a number: numbers, number strings, and null as a missing value (NaN), as pandas reads a numeric column. */
function cellNumber(cell: unknown): number | undefined {
  if (typeof cell === 'number') return cell;
  if (cell === null) return Number.NaN;
  return typeof cell === 'string' ? numberInString(cell) : undefined;
}

/**
 * JSON Lines records as a table: a number (or a string of one, or null for a missing value) is a column, a list of numbers K columns named
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
        if (cellNumber(cell) !== undefined) layout.push({ key, width: 0 });
        else if (Array.isArray(cell) && cell.length > 0 && cell.length <= MAX_JSON_COLUMNS && cell.every((v) => typeof v === 'number' || v === null))
          layout.push({ key, width: cell.length });
      }
      if (layout.length === 0) throw new DataFileError(source.name, `line ${line}`, 'the record has no number or list of numbers to read');
      columns = layout.flatMap(({ width }) => Array.from({ length: Math.max(1, width) }, () => [] as number[]));
    }
    let at = 0;
    for (const { key, width } of layout) {
      const cell = record[key];
      if (width === 0) {
        const value = cellNumber(cell);
        if (value === undefined)
          throw new DataFileError(
            source.name,
            `line ${line}`,
            `${quoteName(key)} is ${cell === undefined ? 'missing' : `${JSON.stringify(cell).slice(0, 40)}, not a number`}`,
          );
        columns[at++]!.push(value);
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
