import { CR, LF, QUOTE } from './csvRecords';
import { DataFileError } from './errors';
import { parseNumber } from './numbers';
import type { InvalidCell, NumericColumn, Table } from './table';

export interface CsvOptions {
  /** Forced delimiter; detected from the first lines when absent. */
  readonly delimiter?: string;
  /**
   * Collect ragged rows instead of failing on the first, and keep every cell's offset in the
   * text, so an editor can mark each problem where it is.
   */
  readonly lenient?: boolean;
}

/** A row whose field count differs from the header's. */
export interface RaggedRow {
  readonly line: number;
  readonly found: number;
  /** Offset of the row's first character in the text. */
  readonly offset: number;
}

/** A column that could not be read as numbers, with the first offending cell. */
export interface TextColumn {
  readonly name: string;
  readonly line: number;
  readonly column: number;
  readonly sample: string;
  /** Its most frequent cells (trimmed), most frequent first, at most TOP_TEXT_VALUES. */
  readonly topValues: readonly string[];
  /** The share of the rows read whose cell is one of topValues. */
  readonly topShare: number;
}

/** Distinct cells of a text column counted, most frequent first: what can group its rows. */
export const TOP_TEXT_VALUES = 64;

function topValues(cells: readonly string[]): { topValues: string[]; topShare: number } {
  const counts = new Map<string, number>();
  for (const cell of cells) {
    const value = cell.trim();
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  // A stable sort keeps first appearance among equal counts.
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, TOP_TEXT_VALUES);
  const covered = top.reduce((total, [, count]) => total + count, 0);
  return { topValues: top.map(([value]) => value), topShare: cells.length === 0 ? 0 : covered / cells.length };
}

export interface CsvTable extends Table {
  readonly delimiter: string;
  readonly decimalComma: boolean;
  readonly hasHeader: boolean;
  readonly textColumns: readonly TextColumn[];
  /** With `lenient`: rows skipped for having the wrong number of fields. */
  readonly raggedRows: readonly RaggedRow[];
  /** With `lenient`: offset in the text of cell (row, column) at row * width + column. */
  readonly cellOffsets?: Uint32Array;
  /** Number of fields per row (the header's). */
  readonly width: number;
}

const MAX_INVALID_KEPT = 100;
const CANDIDATE_DELIMITERS = [',', '\t', ';', '|'];

/** Decodes bytes as text, honouring UTF-8 and UTF-16 byte-order marks, and refusing other encodings clearly. */
export function decodeText(bytes: Uint8Array, file: string): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start));
  } catch {
    const offset = firstInvalidUtf8(bytes, start);
    const line = countLines(bytes, offset);
    throw new DataFileError(
      file,
      `line ${line}, byte ${offset}`,
      `not UTF-8 text (byte 0x${bytes[offset]!.toString(16).padStart(2, '0')}); save the file as UTF-8`,
    );
  }
}

/**
 * The cells as numbers into `values` (NaN where not a number), the first of those that are not
 * numbers at all into `invalid`; returns how many there are. Nothing but the return follows the
 * loop: V8 compiles it while it runs, and code after it that has not yet run would discard that
 * code again for every column.
 */
function parseColumn(raw: readonly string[], decimalComma: boolean, values: Float64Array, invalid: InvalidCell[]): number {
  let invalidCount = 0;
  for (let row = 0; row < raw.length; row++) {
    const value = parseNumber(raw[row]!, decimalComma);
    if (value === undefined) {
      invalidCount++;
      if (invalid.length < MAX_INVALID_KEPT) invalid.push({ row, text: raw[row]!.slice(0, 40) });
      values[row] = Number.NaN;
    } else values[row] = value;
  }
  return invalidCount;
}

function firstInvalidUtf8(bytes: Uint8Array, start: number): number {
  let i = start;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const extra = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (extra < 0) return i;
    for (let j = 1; j <= extra; j++) if (((bytes[i + j] ?? 0) & 0xc0) !== 0x80) return i;
    i += extra + 1;
  }
  return Math.min(i, bytes.length - 1);
}

function countLines(bytes: Uint8Array, end: number): number {
  let line = 1;
  for (let i = 0; i < end; i++) if (bytes[i] === LF) line++;
  return line;
}

/** The delimiter that splits the first lines into the same, largest number of fields. */
export function detectDelimiter(text: string): string {
  const lines = text.split(/\r?\n/, 20).filter((line) => line.trim() !== '');
  let best = ',';
  let bestScore = 0;
  for (const delimiter of CANDIDATE_DELIMITERS) {
    const counts = lines.map((line) => splitOutsideQuotes(line, delimiter));
    const first = counts[0] ?? 0;
    if (first === 0) continue;
    const consistent = counts.filter((count) => count === first).length;
    const score = consistent * 1000 + first;
    if (score > bestScore) {
      best = delimiter;
      bestScore = score;
    }
  }
  return best;
}

/** Number of delimiters outside quotes on one physical line (0 when the delimiter is absent). */
function splitOutsideQuotes(line: string, delimiter: string): number {
  let inQuotes = false;
  let count = 0;
  for (const ch of line) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === delimiter && !inQuotes) count++;
  }
  return count;
}

interface Record {
  readonly fields: string[];
  /** Offset in the text where each field starts (at its opening quote, if quoted). */
  readonly starts: number[];
  readonly line: number;
}

/** RFC 4180 records: quoted fields may hold delimiters, doubled quotes and line breaks. */
function* records(text: string, delimiter: string, file: string): Generator<Record> {
  const sep = delimiter.charCodeAt(0);
  const length = text.length;
  let i = 0;
  let line = 1;
  while (i < length) {
    const startLine = line;
    const fields: string[] = [];
    const starts: number[] = [];
    for (;;) {
      starts.push(i);
      let field: string;
      if (text.charCodeAt(i) === QUOTE) {
        const quoteLine = line;
        let value = '';
        let from = ++i;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q < 0) throw new DataFileError(file, `line ${quoteLine}`, 'a quoted field is never closed');
          value += text.slice(i, q);
          for (let k = from; k < q; k++) if (text.charCodeAt(k) === LF) line++;
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += '"';
            i = from = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        // Tolerate stray characters between the closing quote and the delimiter, as pandas does.
        while (i < length && text.charCodeAt(i) !== sep && text.charCodeAt(i) !== LF && text.charCodeAt(i) !== CR) value += text[i++];
        field = value;
      } else {
        let end = i;
        while (end < length) {
          const c = text.charCodeAt(end);
          if (c === sep || c === LF || c === CR) break;
          end++;
        }
        field = text.slice(i, end);
        i = end;
      }
      fields.push(field);
      const c = text.charCodeAt(i);
      if (c === sep) {
        i++;
        continue;
      }
      if (c === CR) i++;
      if (text.charCodeAt(i) === LF) {
        i++;
        line++;
      }
      break;
    }
    // Blank lines separate nothing: skip them as pandas does.
    if (fields.length === 1 && fields[0]!.trim() === '') continue;
    yield { fields, starts, line: startLine };
  }
}

/** Reads a whole CSV/TSV text into numeric columns; non-numeric columns are listed, not fatal. */
export function parseCsv(text: string, file: string, options: CsvOptions = {}): CsvTable {
  const delimiter = options.delimiter ?? (file.toLowerCase().endsWith('.tsv') ? '\t' : detectDelimiter(text));
  const iterator = records(text, delimiter, file);
  const first = iterator.next();
  if (first.done) throw new DataFileError(file, '', 'the file has no rows');
  const firstFields = first.value.fields;
  const hasHeader = firstFields.some((field) => parseNumber(field) === undefined || field.trim() === '');
  const width = firstFields.length;
  const names = hasHeader ? uniqueNames(firstFields) : firstFields.map((_, index) => `column ${index + 1}`);

  const cells: string[][] = names.map(() => []);
  const lines: number[] = [];
  const raggedRows: RaggedRow[] = [];
  const offsets: number[] = [];
  const pushRecord = (record: Record) => {
    if (record.fields.length !== width) {
      if (!options.lenient) throw new DataFileError(file, `line ${record.line}`, `expected ${width} fields, found ${record.fields.length}`);
      raggedRows.push({ line: record.line, found: record.fields.length, offset: record.starts[0]! });
      return;
    }
    record.fields.forEach((field, index) => cells[index]!.push(field));
    if (options.lenient) offsets.push(...record.starts);
    lines.push(record.line);
  };
  if (!hasHeader) pushRecord(first.value);
  for (const record of iterator) pushRecord(record);

  const decimalComma = delimiter === ';' && cells.some((column) => column.some((cell) => /^\s*[+-]?\d*,\d+(?:[eE][+-]?\d+)?\s*$/.test(cell)));
  const columns: NumericColumn[] = [];
  const textColumns: TextColumn[] = [];
  names.forEach((name, index) => {
    const raw = cells[index]!;
    const values = new Float64Array(raw.length);
    const invalid: InvalidCell[] = [];
    const invalidCount = parseColumn(raw, decimalComma, values, invalid);
    // Mostly words: a text column (ids, notes), not a numeric one with typos.
    if (invalidCount > 0 && invalidCount * 2 > raw.filter((cell) => cell.trim() !== '').length) {
      const first = invalid[0]!;
      textColumns.push({ name, line: lines[first.row]!, column: index + 1, sample: first.text, ...topValues(raw) });
      return;
    }
    columns.push(invalidCount > 0 ? { name, values, field: index, invalid, invalidCount } : { name, values, field: index });
  });
  return {
    format: delimiter === '\t' ? 'tsv' : 'csv',
    columns,
    rowCount: lines.length,
    rowLines: Uint32Array.from(lines),
    delimiter,
    decimalComma,
    hasHeader,
    textColumns,
    raggedRows,
    ...(options.lenient ? { cellOffsets: Uint32Array.from(offsets) } : {}),
    width,
  };
}

/** Header names made unique the way pandas does ("p", "p.1", ...), so roles can be named unambiguously. */
function uniqueNames(fields: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return fields.map((raw, index) => {
    const base = raw.trim() || `column ${index + 1}`;
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count === 0 ? base : `${base}.${count}`;
  });
}

/** The fields of the first record in `text` (quoted fields unquoted), for readers that split plain lines themselves. */
export function firstRecordFields(text: string, delimiter: string, file: string): string[] {
  const first = records(text, delimiter, file).next();
  return first.done ? [] : first.value.fields;
}
