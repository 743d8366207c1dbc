import { isUtf8 } from 'node:buffer';
import type { ByteSource } from './byteSource';
import { decodeText, firstRecordFields, parseCsv, type CsvTable } from './csv';
import { DataFileError } from './errors';
import {
  CR,
  CsvRecordError,
  firstBadLine,
  isBlank,
  KeyCoder,
  LF,
  MAX_LINE_BYTES,
  plainRecordParser,
  QUOTE,
  type CsvKeyColumn,
  type CsvRecordLayout,
} from './csvRecords';
import { parseNumber } from './numbers';

/** Rows of the wanted columns, row-major, with the 1-based line each row starts on. */
export interface CsvBatch {
  readonly rows: number;
  readonly firstRow: number;
  /** rows x columns.length values, row-major, in the order the columns were asked for. */
  readonly values: Float64Array;
  readonly lines: Uint32Array;
  /** With the `keys` option: per key column, each row's code (its value's index, or the value count for any other). */
  readonly keys?: readonly Uint8Array[];
}

export type { CsvKeyColumn };

export interface CsvStreamOptions {
  readonly batchRows?: number;
  readonly chunkBytes?: number;
  /** Called after each chunk with the share of the file read. */
  readonly onProgress?: (fraction: number) => void;
  readonly signal?: AbortSignal;
  /** Start here instead of at the top of the file (past the header). */
  readonly resume?: CsvResume;
  /** Stop after the batch in which this many rows have been read. */
  readonly stopAfterRows?: number;
  /** Told where the first record after the header starts, before it is read. */
  readonly onFirstRecord?: (start: CsvResume) => void;
  /** Text columns to code each row by (see CsvBatch.keys). */
  readonly keys?: readonly CsvKeyColumn[];
}

/** Where the records not yet read start: a byte offset at a record boundary, its line, and its row. */
export interface CsvResume {
  readonly offset: number;
  readonly line: number;
  readonly firstRow: number;
}

/**
 * The layout of a CSV file (delimiter, header, columns, decimal commas) from its first
 * megabyte, parsed by the general reader so quoting and detection follow the same rules.
 */
export async function sniffCsv(source: ByteSource): Promise<CsvTable> {
  const length = Math.min(source.size, SAMPLE_BYTES);
  let bytes = await source.read(0, length);
  if (length < source.size) {
    // Cut at the last line break so the sample holds whole rows.
    const lastBreak = bytes.lastIndexOf(LF);
    if (lastBreak > 0) bytes = bytes.subarray(0, lastBreak + 1);
  }
  return parseCsv(decodeText(bytes, source.name), source.name);
}

/**
 * Streams the numeric values of some columns of a CSV file in batches, reading it by chunks:
 * memory stays at a chunk and a batch whatever the file's size. Plain lines are split and
 * parsed on bytes, with no string per field; a line with quotes goes through the general
 * parser. Ragged rows and cells that are not numbers stop the read with their line and column.
 */
export async function* streamCsvColumns(
  source: ByteSource,
  layout: CsvTable,
  columns: readonly number[],
  options: CsvStreamOptions = {},
): AsyncGenerator<CsvBatch> {
  // A batch holds about 4M values whatever the width, so a file of very many columns cannot demand gigabytes.
  const batchRows = options.batchRows ?? Math.max(1, Math.min(65_536, Math.floor(BATCH_VALUES / Math.max(1, columns.length))));
  const chunkBytes = options.chunkBytes ?? 4 << 20;
  const width = layout.width;
  const m = columns.length;
  const decimalComma = layout.decimalComma;
  const parsePlain = plainRecordParser(recordLayout(layout, columns));

  let values = new Float64Array(batchRows * m);
  let lines = new Uint32Array(batchRows);
  const keyColumns = options.keys ?? [];
  const keyCoder = new KeyCoder(keyColumns, layout.delimiter.charCodeAt(0), width);
  let keys = keyColumns.map(() => new Uint8Array(batchRows));
  let rows = 0;
  let firstRow = options.resume?.firstRow ?? 0;
  let line = options.resume?.line ?? 1;
  let headerPending = layout.hasHeader && !options.resume;
  const takeBatch = (): CsvBatch => {
    const batch = {
      rows,
      firstRow,
      values: values.subarray(0, rows * m),
      lines: lines.subarray(0, rows),
      ...(keyColumns.length > 0 ? { keys: keys.map((codes) => codes.subarray(0, rows)) } : {}),
    };
    firstRow += rows;
    rows = 0;
    values = new Float64Array(batchRows * m);
    lines = new Uint32Array(batchRows);
    if (keyColumns.length > 0) keys = keyColumns.map(() => new Uint8Array(batchRows));
    return batch;
  };

  const fail = (atLine: number, field: number | undefined, reason: string): never => {
    throw new DataFileError(source.name, cellPlace(layout, atLine, field), reason);
  };

  const plainRecord = (bytes: Uint8Array, start: number, end: number, atLine: number) => {
    try {
      parsePlain(bytes, start, end, values, rows * m);
    } catch (error) {
      if (error instanceof CsvRecordError) fail(atLine, error.field, error.reason);
      throw error;
    }
    if (keyColumns.length > 0) keyCoder.codePlain(bytes, start, end, keys, rows);
  };

  /** One record with quotes: the general splitter, on its text. */
  const quotedRecord = (text: string, atLine: number) => {
    const fields = firstRecordFields(text, layout.delimiter, source.name);
    if (fields.length !== width) fail(atLine, undefined, `expected ${width} fields, found ${fields.length}`);
    const base = rows * m;
    columns.forEach((field, index) => {
      const value = parseNumber(fields[field]!, decimalComma);
      if (value === undefined) fail(atLine, field, `'${fields[field]!.slice(0, 40)}' is not a number`);
      values[base + index] = value!;
    });
    keyColumns.forEach((key, index) => (keys[index]![rows] = keyCoder.codeOf(index, fields[key.field]!)));
  };

  let carry: Uint8Array = new Uint8Array(0);
  // The unfinished line and the next chunk are joined in one buffer that grows by doubling, so a
  // line that runs over many chunks costs linear time and memory, not a copy per chunk.
  let store = new Uint8Array(0);
  const join = (head: Uint8Array, tail: Uint8Array): Uint8Array => {
    const length = head.length + tail.length;
    const inStore = head.buffer === store.buffer && head.byteOffset === store.byteOffset;
    if (store.length < length) {
      const grown = new Uint8Array(Math.max(length, 2 * store.length));
      grown.set(head);
      store = grown;
    } else if (!inStore) store.set(head);
    store.set(tail, head.length);
    return store.subarray(0, length);
  };
  let offset = options.resume?.offset ?? 0;
  // The file offset of bytes[0] in the loop below, so a stop can say where the rest starts.
  let bytesStart: number;
  let carryStart = offset;
  // The next chunk is read while this one is parsed, so the disk and the parser overlap. When
  // someone waits for the first record, the first chunk is small: they hear of it at once.
  let readBytes = options.onFirstRecord ? Math.min(chunkBytes, FIRST_CHUNK_BYTES) : chunkBytes;
  const readChunk = (at: number): Promise<Uint8Array> => {
    const read = source.read(at, Math.min(readBytes, source.size - at));
    readBytes = chunkBytes;
    // Handled here too, so a read left pending when the stream stops early is not an unhandled rejection.
    read.catch(() => undefined);
    return read;
  };
  let next: Promise<Uint8Array> | undefined;
  for (;;) {
    if (options.signal?.aborted) return;
    const atEnd = offset >= source.size;
    let bytes: Uint8Array;
    let chunk: Uint8Array | undefined;
    if (atEnd) {
      if (carry.length === 0) break;
      // The last line may lack a line break.
      bytes = join(carry, NEWLINE);
      bytesStart = carryStart;
    } else {
      chunk = await (next ?? readChunk(offset));
      next = offset + chunk.length < source.size ? readChunk(offset + chunk.length) : undefined;
      bytes = carry.length > 0 ? join(carry, chunk) : chunk;
      bytesStart = carry.length > 0 ? carryStart : offset;
      if (offset === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
        bytes = bytes.subarray(3);
        bytesStart = 3;
      }
      offset += chunk.length;
    }
    const lastBreak = bytes.lastIndexOf(LF);
    if (lastBreak < 0) {
      if (bytes.length > MAX_LINE_BYTES) fail(line, undefined, `a line longer than ${MAX_LINE_BYTES >> 20} MB: not a CSV file of numbers`);
      // Kept in place when already in the join buffer; a fresh chunk is copied into it.
      carry = bytes === chunk ? join(new Uint8Array(0), bytes) : bytes;
      carryStart = bytesStart;
      continue;
    }
    if (!isUtf8(bytes.subarray(0, lastBreak + 1))) {
      const bad = firstBadLine(bytes.subarray(0, lastBreak + 1));
      fail(line + bad, undefined, 'not UTF-8 text; save the file as UTF-8');
    }
    let pos = 0;
    // The next quote at or after pos, searched again only once pos has passed it: searching
    // from every line would scan the rest of the chunk each time.
    let nextQuote = bytes.indexOf(QUOTE);
    while (pos <= lastBreak) {
      const recordStart = pos;
      const recordLine = line;
      let recordEnd = bytes.indexOf(LF, pos);
      let breaks = 1;
      if (nextQuote >= 0 && nextQuote < pos) nextQuote = bytes.indexOf(QUOTE, pos);
      const quoted = nextQuote >= 0 && nextQuote < recordEnd;
      if (quoted) {
        // A quoted field may hold line breaks: the record ends at the first break outside quotes.
        let inQuotes = false;
        let i = recordStart;
        breaks = 0;
        for (; i <= lastBreak; i++) {
          const c = bytes[i];
          if (c === QUOTE) inQuotes = !inQuotes;
          else if (c === LF) {
            if (!inQuotes) break;
            breaks++;
          }
        }
        if (i > lastBreak) {
          if (atEnd) fail(recordLine, undefined, 'a quoted field is never closed');
          break; // the record goes on in the next chunk
        }
        recordEnd = i;
        breaks++;
      }
      let contentEnd = recordEnd;
      if (contentEnd > recordStart && bytes[contentEnd - 1] === CR) contentEnd--;
      pos = recordEnd + 1;
      line += breaks;
      if (isBlank(bytes, recordStart, contentEnd)) continue;
      if (headerPending) {
        headerPending = false;
        continue;
      }
      if (firstRow + rows === 0) options.onFirstRecord?.({ offset: bytesStart + recordStart, line: recordLine, firstRow: 0 });
      if (quoted) quotedRecord(new TextDecoder().decode(bytes.subarray(recordStart, contentEnd)), recordLine);
      else plainRecord(bytes, recordStart, contentEnd, recordLine);
      lines[rows] = recordLine;
      rows++;
      if (rows === batchRows || (options.stopAfterRows !== undefined && firstRow + rows >= options.stopAfterRows)) {
        yield takeBatch();
        if (options.stopAfterRows !== undefined && firstRow >= options.stopAfterRows) return;
      }
    }
    carry = bytes.slice(pos);
    carryStart = bytesStart + pos;
    options.onProgress?.(Math.min(1, (offset - carry.length) / Math.max(1, source.size)));
    if (atEnd) break;
  }
  if (rows > 0) yield takeBatch();
}

const NEWLINE = new Uint8Array([LF]);
const SAMPLE_BYTES = 1 << 20;
const FIRST_CHUNK_BYTES = 64 << 10;
const BATCH_VALUES = 1 << 22;

/** Where a cell or record is, for a message: `line 12, column 3 (p1)`, or `line 12` for a whole record. */
export function cellPlace(layout: CsvTable, line: number, field: number | undefined): string {
  if (field === undefined) return `line ${line}`;
  const name = layout.columns.find((column) => column.field === field)?.name ?? layout.columns[field]?.name ?? `column ${field + 1}`;
  return `line ${line}, column ${field + 1} (${name})`;
}

/** The plain-data layout a record parser needs, here or on another thread. */
export function recordLayout(layout: CsvTable, fields: readonly number[]): CsvRecordLayout {
  return { width: layout.width, delimiter: layout.delimiter.charCodeAt(0), decimalComma: layout.decimalComma, fields };
}
