import { parquetMetadataAsync, parquetRead, type AsyncBuffer, type FileMetaData, type SchemaElement } from 'hyparquet';
import type { ByteSource } from './byteSource';
import { DataFileError, foreignReason, quoteName } from './errors';
import { DEFAULT_LIMITS, raiseWith, type ReadLimits } from './limits';
import { PARQUET_CODECS, SUPPORTED_CODECS } from './parquetCodecs';
import { checkColumnChunk, MAX_CHUNK_READ_BYTES } from './parquetPages';
import type { NumericColumn, Table } from './table';

const NUMERIC_TYPES = new Set(['INT32', 'INT64', 'FLOAT', 'DOUBLE', 'BOOLEAN']);
const DECIMAL_TYPES = new Set(['INT32', 'INT64', 'FIXED_LEN_BYTE_ARRAY', 'BYTE_ARRAY']);
/** Widest DECIMAL read, in bytes of its unscaled integer: 64 bytes hold over 150 digits. */
const MAX_DECIMAL_BYTES = 64;
/** Powers of ten up to 10^22 are exact doubles, so dividing by one rounds once. */
const EXACT_POWERS_OF_TEN = 22;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const isDecimal = (column: SchemaElement) =>
  (column.converted_type === 'DECIMAL' || column.logical_type?.type === 'DECIMAL') && column.type !== undefined && DECIMAL_TYPES.has(column.type);
const isFloat16 = (column: SchemaElement) => column.logical_type?.type === 'FLOAT16' && column.type === 'FIXED_LEN_BYTE_ARRAY' && column.type_length === 2;
const decimalScale = (column: SchemaElement) => column.scale ?? (column.logical_type?.type === 'DECIMAL' ? column.logical_type.scale : 0);

/**
 * An unscaled DECIMAL integer times 10^-scale as the nearest double, as Python's
 * float(Decimal) gives it: an exact integer divided by an exact power of ten rounds once;
 * anything wider goes through JavaScript's number parser, which rounds correctly.
 */
export function decimalToNumber(unscaled: number | bigint, scale: number): number {
  if (typeof unscaled === 'number' || (unscaled >= -MAX_SAFE && unscaled <= MAX_SAFE)) {
    const exact = Number(unscaled);
    if (scale === 0) return exact;
    if (scale > 0 && scale <= EXACT_POWERS_OF_TEN) return exact / 10 ** scale;
    if (scale < 0 && -scale <= EXACT_POWERS_OF_TEN) return exact * 10 ** -scale;
  }
  return Number(`${unscaled}e${-scale}`);
}

/** A big-endian two's-complement integer (a DECIMAL stored as bytes). */
function signedBigEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return bytes.length > 0 && bytes[0]! & 0x80 ? value - (1n << BigInt(bytes.length * 8)) : value;
}

const MAGIC = 'PAR1';
const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
const isMagic = (bytes: Uint8Array) => bytes.length === 4 && String.fromCharCode(...bytes) === MAGIC;

/**
 * The frame a Parquet file ends with ('PAR1', a footer, its 4-byte length, 'PAR1'), checked
 * before the footer is parsed so a cut or damaged file says where: the footer's first byte.
 */
async function checkFooter(source: ByteSource): Promise<number> {
  const fail = (reason: string): never => {
    throw new DataFileError(source.name, '', reason);
  };
  const head = await source.read(0, Math.min(4, source.size));
  if (!isMagic(head)) fail(`not a Parquet file: it starts with ${hex(head) || 'nothing'}, not '${MAGIC}'`);
  if (source.size < 12) fail(`the footer is missing: the file ends at byte ${source.size}, before the 12 bytes of the smallest Parquet file`);
  const tail = await source.read(source.size - 8, 8);
  if (!isMagic(tail.subarray(4)))
    fail(`the footer should end with '${MAGIC}' at byte ${source.size - 4} but has ${hex(tail.subarray(4))}: the file is cut short or damaged`);
  const length = new DataView(tail.buffer, tail.byteOffset, 4).getUint32(0, true);
  if (length > source.size - 12)
    fail(
      `the footer's length at byte ${source.size - 8} is ${length} bytes, more than the ${source.size - 12} between the magic numbers: the file is cut short or damaged`,
    );
  return source.size - 8 - length;
}

/** A DECIMAL column's element as plain integers or bytes, so the decoder hands over the stored values. */
function withoutDecimal(element: SchemaElement): SchemaElement {
  const { converted_type: _converted, logical_type: _logical, ...plain } = element;
  return plain;
}

/**
 * hyparquet reads through this: byte ranges of the file, never the whole file at once. A range
 * made of column chunks already read (by the page check) is served from them, each handed over
 * once and then let go, so a chunk is read from the file once.
 */
function asyncBuffer(source: ByteSource, chunks: Map<number, Uint8Array>): AsyncBuffer {
  const fromChunks = (start: number, end: number): ArrayBuffer | undefined => {
    const parts: Uint8Array[] = [];
    for (let at = start; at < end;) {
      const chunk = chunks.get(at);
      if (!chunk || chunk.length === 0) return undefined;
      parts.push(chunk.subarray(0, Math.min(chunk.length, end - at)));
      at += chunk.length;
    }
    const joined = new Uint8Array(end - start);
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      chunks.delete(start + at);
      at += part.length;
    }
    return joined.buffer;
  };
  return {
    byteLength: source.size,
    async slice(start, end = source.size) {
      const stop = Math.min(end, source.size);
      const cached = start < stop ? fromChunks(start, stop) : undefined;
      if (cached) return cached;
      const bytes = await source.read(start, Math.max(0, stop - start));
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

/** Top-level leaf columns of a flat schema (nested groups are not tables of numbers). */
function flatColumns(metadata: FileMetaData): SchemaElement[] {
  const [root, ...rest] = metadata.schema;
  const columns: SchemaElement[] = [];
  let index = 0;
  for (let child = 0; child < (root?.num_children ?? 0) && index < rest.length; child++) {
    const element = rest[index]!;
    if (element.num_children) {
      // Skip the whole group: its descendants follow it in depth-first order.
      let pending = element.num_children;
      index++;
      while (pending > 0 && index < rest.length) {
        pending += (rest[index]!.num_children ?? 0) - 1;
        index++;
      }
      continue;
    }
    columns.push(element);
    index++;
  }
  return columns;
}

/** Columns a list may spread into, as for JSON Lines and Arrow: a longer list is not a row of class scores. */
export const MAX_LIST_WIDTH = 1 << 16;

/**
 * Top-level LIST columns of numbers, as pandas and pyarrow write them (`optional group x (LIST)
 * { repeated group list { optional double element } }`) or in the older two-level form
 * (`repeated double element` directly under the LIST group).
 */
function listColumns(metadata: FileMetaData): { readonly name: string; readonly leaf: SchemaElement }[] {
  const [root, ...rest] = metadata.schema;
  const lists: { name: string; leaf: SchemaElement }[] = [];
  let index = 0;
  for (let child = 0; child < (root?.num_children ?? 0) && index < rest.length; child++) {
    const start = index;
    let pending = rest[index]!.num_children ?? 0;
    index++;
    while (pending > 0 && index < rest.length) {
      pending += (rest[index]!.num_children ?? 0) - 1;
      index++;
    }
    const [element, repeated, leaf] = rest.slice(start, index);
    const isList = element!.converted_type === 'LIST' || element!.logical_type?.type === 'LIST';
    if (!isList || element!.num_children !== 1 || repeated?.repetition_type !== 'REPEATED') continue;
    const value = index - start === 3 && repeated.num_children === 1 ? leaf : index - start === 2 && !repeated.num_children ? repeated : undefined;
    if (value?.type !== undefined && !value.num_children && (NUMERIC_TYPES.has(value.type) || isFloat16(value)))
      lists.push({ name: element!.name, leaf: value });
  }
  return lists;
}

/**
 * Everything the decoder will be asked to do, checked against the footer and the page headers
 * first: row counts that agree, codecs it has, pages that stay inside their chunks.
 */
async function checkBeforeDecoding(
  source: ByteSource,
  metadata: FileMetaData,
  numeric: readonly SchemaElement[],
  rows: number,
  limits: ReadLimits,
  chunks: Map<number, Uint8Array>,
  lists: ReadonlySet<string> = new Set(),
): Promise<void> {
  const fail = (place: string, reason: string): never => {
    throw new DataFileError(source.name, place, reason);
  };
  if (rows * Math.max(1, numeric.length) * 8 > limits.maxTensorBytes) {
    fail(
      '',
      `${rows} rows of ${numeric.length} numeric columns exceed the ${Math.round(limits.maxTensorBytes / 2 ** 20)} MB the reader may decode${raiseWith('maxTensorBytes')}`,
    );
  }
  const names = new Set(numeric.map((column) => column.name));
  // A wide DECIMAL takes its bytes (and a length for BYTE_ARRAY) per value, beyond a double's 8.
  const widths = new Map(
    numeric.map((column) => [
      column.name,
      column.type === 'FIXED_LEN_BYTE_ARRAY' ? 8 + Math.max(8, column.type_length ?? 0) : column.type === 'BYTE_ARRAY' ? 12 + MAX_DECIMAL_BYTES : 16,
    ]),
  );
  // The chunks kept for the decoder hold at most what it may decode.
  const maxReadBytes = Math.min(MAX_CHUNK_READ_BYTES, limits.maxTensorBytes);
  let kept = 0;
  let groupRows = 0;
  let listValues = 0;
  for (const [index, group] of metadata.row_groups.entries()) {
    const groupSize = Number(group.num_rows);
    if (!Number.isSafeInteger(groupSize) || groupSize < 0) fail(`row group ${index}`, `the footer claims ${group.num_rows} rows`);
    groupRows += groupSize;
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      const column = meta?.path_in_schema.join('.') ?? '';
      if (meta && meta.path_in_schema.length > 1 && lists.has(meta.path_in_schema[0]!)) {
        // A list's values are not one a row: the footer's count of them bounds its pages instead.
        const values = Number(meta.num_values);
        const place = `row group ${index}, column ${quoteName(column)}`;
        // Every row, even a null or empty list, has at least one entry among a list column's values.
        if (!Number.isSafeInteger(values) || values < groupSize) fail(place, `the footer claims ${meta.num_values} values for ${groupSize} rows`);
        listValues += values;
        if (listValues * 8 > limits.maxTensorBytes)
          fail(
            place,
            `the list columns' values exceed the ${Math.round(limits.maxTensorBytes / 2 ** 20)} MB the reader may decode${raiseWith('maxTensorBytes')}`,
          );
        if (!SUPPORTED_CODECS.includes(meta.codec)) fail(place, `${meta.codec} compression is not supported (supported: ${SUPPORTED_CODECS.join(', ')})`);
        const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
        const bytes = await checkColumnChunk(source, { column, start, end: start + Number(meta.total_compressed_size), rows: values }, maxReadBytes);
        if (bytes && kept + bytes.length <= limits.maxTensorBytes) {
          chunks.set(start, bytes);
          kept += bytes.length;
        }
        continue;
      }
      if (!meta || meta.path_in_schema.length !== 1 || !names.has(column)) continue;
      const place = `row group ${index}, column ${quoteName(column)}`;
      if (!SUPPORTED_CODECS.includes(meta.codec)) fail(place, `${meta.codec} compression is not supported (supported: ${SUPPORTED_CODECS.join(', ')})`);
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      const span = { column, start, end: start + Number(meta.total_compressed_size), rows: groupSize, bytesPerValue: widths.get(column)! };
      const bytes = await checkColumnChunk(source, span, maxReadBytes);
      if (bytes && kept + bytes.length <= limits.maxTensorBytes) {
        chunks.set(start, bytes);
        kept += bytes.length;
      }
    }
  }
  if (groupRows !== rows) fail('footer', `it claims ${rows} rows but its row groups hold ${groupRows}`);
}

/**
 * Reads the numeric columns of a Parquet file (pandas' to_parquet output: uncompressed, snappy,
 * gzip, brotli, zstd or LZ4; dictionary or plain encoding) into a table: integers, floats,
 * FLOAT16, booleans and DECIMALs (as the nearest double), and LIST columns of numbers whose rows
 * all hold K values as K columns name_0 .. name_{K-1}. Nulls become NaN, missing values as
 * a CSV's empty cells are; int64 beyond 2^53 is flagged; text columns are listed but not read.
 */
export async function readParquet(
  source: ByteSource,
  limits: ReadLimits = DEFAULT_LIMITS,
): Promise<Table & { readonly warnings: readonly string[]; readonly textColumns: readonly { readonly name: string }[] }> {
  const chunks = new Map<number, Uint8Array>();
  const file = asyncBuffer(source, chunks);
  const footerStart = await checkFooter(source);
  let metadata: FileMetaData;
  try {
    // The footer and its 8-byte frame, exactly: hyparquet's default would read the last 512 KB.
    metadata = await parquetMetadataAsync(file, { initialFetchSize: source.size - footerStart });
  } catch (error) {
    throw new DataFileError(
      source.name,
      `footer at byte ${footerStart}`,
      `its ${source.size - 8 - footerStart} bytes cannot be read as a Parquet footer (${foreignReason(error)})`,
    );
  }
  const rows = Number(metadata.num_rows);
  if (!Number.isSafeInteger(rows) || rows < 0) throw new DataFileError(source.name, 'footer', `it claims ${metadata.num_rows} rows`);
  const columns = flatColumns(metadata);
  // A repeated leaf is a list per row, not a column of numbers.
  const numeric = columns.filter(
    (column) =>
      column.type !== undefined && (NUMERIC_TYPES.has(column.type) || isDecimal(column) || isFloat16(column)) && column.repetition_type !== 'REPEATED',
  );
  const lists = listColumns(metadata);
  await checkBeforeDecoding(source, metadata, numeric, rows, limits, chunks, new Set(lists.map((list) => list.name)));
  // Holey arrays: only the rows the pages hold take memory.
  const listRows = new Map(lists.map((list) => [list.name, new Array<unknown>(rows)]));
  const values = new Map(numeric.map((column) => [column.name, new Float64Array(rows).fill(Number.NaN)]));
  const scales = new Map(numeric.filter(isDecimal).map((column) => [column.name, decimalScale(column)]));
  // hyparquet scales DECIMALs by multiplying by 10^-scale, off in the last bit; they are read as the stored integers and scaled here.
  const unscaled = { ...metadata, schema: metadata.schema.map((element) => (isDecimal(element) ? withoutDecimal(element) : element)) };
  let beyondSafe = 0;
  // One row group at a time, so a failure of the decoder is placed in its row group.
  let groupStart = 0;
  for (const [index, group] of metadata.row_groups.entries()) {
    const groupRows = Number(group.num_rows);
    const firstRow = groupStart;
    groupStart += groupRows;
    if (groupRows === 0) continue;
    try {
      await parquetRead({
        file,
        rowStart: firstRow,
        rowEnd: firstRow + groupRows,
        metadata: unscaled,
        compressors: PARQUET_CODECS,
        columns: [...numeric.map((column) => column.name), ...lists.map((list) => list.name)],
        utf8: false,
        onChunk: ({ columnName, columnData, rowStart, rowEnd }) => {
          const listTarget = listRows.get(columnName);
          if (listTarget) {
            for (let i = 0; i < rowEnd - rowStart && rowStart + i < rows; i++) listTarget[rowStart + i] = columnData[i];
            return;
          }
          const target = values.get(columnName);
          if (!target) return;
          const scale = scales.get(columnName);
          for (let i = 0; i < rowEnd - rowStart && rowStart + i < rows; i++) {
            const v = columnData[i] as number | bigint | boolean | Uint8Array | null | undefined;
            if (v === null || v === undefined) continue;
            if (scale !== undefined) {
              if (v instanceof Uint8Array && v.length > MAX_DECIMAL_BYTES)
                throw new DataFileError(
                  source.name,
                  `row ${rowStart + i + 1}, column ${quoteName(columnName)}`,
                  `a DECIMAL of ${v.length} bytes (at most ${MAX_DECIMAL_BYTES} are read)`,
                );
              target[rowStart + i] = decimalToNumber(v instanceof Uint8Array ? signedBigEndian(v) : typeof v === 'boolean' ? Number(v) : v, scale);
            } else if (typeof v === 'bigint') {
              if (v > MAX_SAFE || v < -MAX_SAFE) beyondSafe++;
              target[rowStart + i] = Number(v);
            } else if (!(v instanceof Uint8Array)) target[rowStart + i] = typeof v === 'boolean' ? Number(v) : v;
          }
        },
      });
    } catch (error) {
      if (error instanceof DataFileError) throw error;
      throw new DataFileError(source.name, `row group ${index}`, `the data cannot be decoded: ${foreignReason(error)}`);
    }
  }
  const table: NumericColumn[] = numeric.map((column, field) => ({ name: column.name, values: values.get(column.name)!, field }));
  const warnings: string[] = [];
  const unreadLists: string[] = [];
  for (const { name } of lists) {
    const spread = spreadList(listRows.get(name)!, rows);
    if (typeof spread === 'string') {
      warnings.push(`column ${quoteName(name)} is not read: ${spread}`);
      unreadLists.push(name);
      continue;
    }
    beyondSafe += spread.beyondSafe;
    spread.columns.forEach((values, j) => table.push({ name: `${name}_${j}`, values, field: table.length }));
  }
  if (beyondSafe > 0) warnings.push(`${beyondSafe} int64 value(s) are beyond 2^53 and were rounded`);
  return {
    format: 'parquet',
    columns: table,
    rowCount: rows,
    warnings,
    textColumns: [...columns.filter((column) => !numeric.includes(column)).map((column) => ({ name: column.name })), ...unreadLists.map((name) => ({ name }))],
  };
}

/**
 * A list column's rows (as hyparquet assembles them: an array, or null) as K columns when every
 * row that is not null holds K values; null rows and null elements are NaN. A reason otherwise.
 */
function spreadList(rows: readonly unknown[], count: number): { readonly columns: Float64Array[]; readonly beyondSafe: number } | string {
  let width = -1;
  let first = 0;
  for (let row = 0; row < count; row++) {
    const cells = rows[row];
    if (cells === null || cells === undefined) continue;
    if (!Array.isArray(cells)) return `row ${row} holds ${typeof cells}, not a list`;
    if (width < 0) [width, first] = [cells.length, row];
    else if (cells.length !== width) return `its lists differ in length (row ${first} holds ${width} values, row ${row} ${cells.length})`;
  }
  if (width <= 0) return 'its lists are empty or null';
  if (width > MAX_LIST_WIDTH) return `its lists hold ${width} values, over the ${MAX_LIST_WIDTH} a list may spread into`;
  const columns = Array.from({ length: width }, () => new Float64Array(count).fill(Number.NaN));
  let beyondSafe = 0;
  for (let row = 0; row < count; row++) {
    const cells = rows[row] as readonly unknown[] | null | undefined;
    if (!cells) continue;
    for (let j = 0; j < width; j++) {
      const v = cells[j];
      if (typeof v === 'number') columns[j]![row] = v;
      else if (typeof v === 'boolean') columns[j]![row] = Number(v);
      else if (typeof v === 'bigint') {
        if (v > MAX_SAFE || v < -MAX_SAFE) beyondSafe++;
        columns[j]![row] = Number(v);
      }
    }
  }
  return { columns, beyondSafe };
}
