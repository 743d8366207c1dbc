import type { ByteSource } from './byteSource';
import { DataFileError, quoteName } from './errors';

/**
 * Walks the page headers of one column chunk before it is decoded, so a lying header (a page
 * claiming two billion values, a page running past its chunk, a size no numeric page can have)
 * is refused with its byte offset instead of sending the decoder into minutes of work.
 * Only the few PageHeader fields that bound the work are kept; the rest of the Thrift
 * compact-protocol struct is skipped.
 */
export interface PageHeaderBounds {
  readonly type: number;
  readonly uncompressedSize: number;
  readonly compressedSize: number;
  /** Values in a data or dictionary page (levels included for data pages). */
  readonly values: number;
  /** Bytes of repetition and definition levels in front of a v2 data page's values. */
  readonly levelBytes: number;
  /** Length of the header itself. */
  readonly headerBytes: number;
}

export interface ColumnChunkSpan {
  readonly column: string;
  readonly start: number;
  readonly end: number;
  /** Rows of the row group: a flat column has at most one value per row. */
  readonly rows: number;
  /** Bytes a value may take in a page, levels and overhead included (wide DECIMALs need more than the default). */
  readonly bytesPerValue?: number;
}

const DATA_PAGE = 0;
const DICTIONARY_PAGE = 2;
const DATA_PAGE_V2 = 3;
/** A header longer than this is not a page header (real ones are tens of bytes; statistics can add a few KB). */
const MAX_HEADER_BYTES = 1 << 20;
/** Generous per-value bound on a numeric page: 8-byte values plus levels and encoding overhead. */
const BYTES_PER_VALUE = 16;
const PAGE_OVERHEAD = 4096;
const MAX_STRUCT_DEPTH = 32;
/** Field ids of PageHeader's nested headers, and their fields the Parquet spec marks required. */
const REQUIRED_FIELDS: Record<number, readonly number[]> = { 5: [1, 2, 3, 4], 7: [1, 2], 8: [1, 2, 3, 4, 5, 6] };
const PAGE_KINDS: Record<number, string> = { 5: 'data page', 7: 'dictionary page', 8: 'data page v2' };

class CompactReader {
  offset = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly fail: (reason: string) => never,
  ) {}

  byte(): number {
    if (this.offset >= this.bytes.length) this.fail('the page header is cut short');
    return this.bytes[this.offset++]!;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let shift = 0; shift < 70; shift += 7) {
      const byte = this.byte();
      result += (byte & 0x7f) * scale;
      if (!(byte & 0x80)) return result;
      scale *= 128;
    }
    return this.fail('a varint in the page header runs over 10 bytes');
  }

  zigzag(): number {
    const n = this.varint();
    // Exact for the 32-bit fields that matter here; 64-bit ones are only skipped.
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  skip(type: number, depth: number): void {
    if (depth > MAX_STRUCT_DEPTH) this.fail('the page header nests too deeply');
    switch (type) {
      case 1:
      case 2:
        return;
      case 3:
        this.byte();
        return;
      case 4:
      case 5:
      case 6:
        this.varint();
        return;
      case 7:
        this.advance(8);
        return;
      case 8:
        this.advance(this.varint());
        return;
      case 9:
      case 10: {
        const header = this.byte();
        const size = header >> 4 === 15 ? this.varint() : header >> 4;
        for (let i = 0; i < size; i++) this.skip((header & 0x0f) === 1 || (header & 0x0f) === 2 ? 3 : header & 0x0f, depth + 1);
        return;
      }
      case 11: {
        const size = this.varint();
        if (size === 0) return;
        const types = this.byte();
        for (let i = 0; i < size; i++) {
          this.skip(types >> 4, depth + 1);
          this.skip(types & 0x0f, depth + 1);
        }
        return;
      }
      case 12:
        this.struct(depth + 1, () => false);
        return;
      default:
        this.fail(`the page header has a field of unknown type ${type}`);
    }
  }

  private advance(length: number): void {
    if (this.offset + length > this.bytes.length) this.fail('the page header is cut short');
    this.offset += length;
  }

  /** Reads a struct's fields; `read` consumes the ones it knows and returns false for the rest, which are skipped. */
  struct(depth: number, read: (field: number, type: number) => boolean): void {
    let field = 0;
    for (;;) {
      const header = this.byte();
      const type = header & 0x0f;
      if (type === 0) return;
      field = header >> 4 ? field + (header >> 4) : this.zigzag();
      if (!read(field, type)) this.skip(type, depth);
    }
  }
}

export function parsePageHeader(bytes: Uint8Array, fail: (reason: string) => never): PageHeaderBounds {
  const reader = new CompactReader(bytes, fail);
  let type = -1;
  let uncompressedSize = -1;
  let compressedSize = -1;
  let values = 0;
  let levelBytes = 0;
  const int = (kind: number) => (kind === 5 || kind === 4 ? reader.zigzag() : fail(`a page header field has type ${kind} where an integer belongs`));
  reader.struct(0, (field, kind) => {
    if (field === 1) type = int(kind);
    else if (field === 2) uncompressedSize = int(kind);
    else if (field === 3) compressedSize = int(kind);
    else if (field in REQUIRED_FIELDS) {
      if (kind !== 12) return false;
      const present = new Set<number>();
      reader.struct(1, (inner, innerKind) => {
        present.add(inner);
        if (inner === 1) values = int(innerKind);
        else if (field === 8 && (inner === 5 || inner === 6)) levelBytes += Math.max(0, int(innerKind));
        else return false;
        return true;
      });
      // The decoder takes required fields for granted: a missing level length becomes NaN offsets.
      const missing = REQUIRED_FIELDS[field]!.filter((id) => !present.has(id));
      if (missing.length > 0) fail(`the page header's ${PAGE_KINDS[field]} header lacks required field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    } else return false;
    return true;
  });
  if (type < 0 || uncompressedSize < 0 || compressedSize < 0) fail('the page header lacks its type or sizes');
  if (values < 0) fail(`the page header claims ${values} values`);
  return { type, uncompressedSize, compressedSize, values, levelBytes, headerBytes: reader.offset };
}

/** Most bytes of a column chunk read at once: a chunk up to this is one read, a longer one is walked in windows of this size. */
export const MAX_CHUNK_READ_BYTES = 1 << 30;

/**
 * Checks every page of a flat numeric column chunk against the chunk's extent and its row
 * group's row count; throws a DataFileError naming the column and the page's byte offset.
 * The chunk is read in one range read (pages are sliced from it, not read one by one: a file
 * of 40,000 small pages would otherwise be 40,000 reads) unless it is longer than
 * `maxReadBytes`; the bytes are returned when they were read whole, so the decoder can use
 * them instead of reading them again.
 */
export async function checkColumnChunk(
  source: ByteSource,
  chunk: ColumnChunkSpan,
  maxReadBytes: number = MAX_CHUNK_READ_BYTES,
): Promise<Uint8Array | undefined> {
  if (!(chunk.start >= 0 && chunk.end <= source.size && chunk.start <= chunk.end)) {
    throw new DataFileError(
      source.name,
      `column ${quoteName(chunk.column)}`,
      `the column chunk at bytes ${chunk.start}-${chunk.end} lies outside the ${source.size}-byte file`,
    );
  }
  // A window always holds a whole header where the chunk does, so a header is never cut by a window's end.
  const windowBytes = Math.max(maxReadBytes, 2 * MAX_HEADER_BYTES);
  let windowStart = chunk.start;
  let window: Uint8Array = new Uint8Array(0);
  let offset = chunk.start;
  let values = 0;
  while (offset < chunk.end) {
    const at = offset;
    const fail = (reason: string): never => {
      throw new DataFileError(source.name, `column ${quoteName(chunk.column)}, page at byte ${at}`, reason);
    };
    if (offset < windowStart || windowStart + window.length < Math.min(chunk.end, offset + MAX_HEADER_BYTES)) {
      windowStart = offset;
      window = await source.read(offset, Math.min(windowBytes, chunk.end - offset));
    }
    const page = parsePageHeader(window.subarray(offset - windowStart, offset - windowStart + MAX_HEADER_BYTES), fail);
    const bodyEnd = offset + page.headerBytes + page.compressedSize;
    if (bodyEnd > chunk.end) fail(`the page's ${page.compressedSize} bytes run past the end of its column chunk (byte ${chunk.end})`);
    if (page.type === DATA_PAGE || page.type === DATA_PAGE_V2) {
      values += page.values;
      if (values > chunk.rows) fail(`the pages hold ${values} values but the row group has ${chunk.rows} rows`);
      if (page.levelBytes > page.compressedSize) fail(`the levels' ${page.levelBytes} bytes exceed the page's ${page.compressedSize}`);
    }
    // Dictionary entries of a numeric column take at least a byte each.
    if (page.type === DICTIONARY_PAGE && page.values > page.uncompressedSize)
      fail(`a dictionary of ${page.values} numbers cannot fit in ${page.uncompressedSize} bytes`);
    if (
      (page.type === DATA_PAGE || page.type === DATA_PAGE_V2 || page.type === DICTIONARY_PAGE) &&
      page.uncompressedSize > (chunk.bytesPerValue ?? BYTES_PER_VALUE) * page.values + PAGE_OVERHEAD
    ) {
      fail(`a page of ${page.values} numbers cannot decompress to ${page.uncompressedSize} bytes`);
    }
    offset = bodyEnd;
  }
  return windowStart === chunk.start && window.length === chunk.end - chunk.start ? window : undefined;
}
