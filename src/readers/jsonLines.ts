import type { ByteSource } from './byteSource';
import { DataFileError, foreignReason } from './errors';

/** A line longer than this is refused: it would have to be held whole to parse (as the CSV reader's cap). */
export const MAX_JSON_LINE_BYTES = 64 << 20;
const CHUNK_BYTES = 1 << 20;
const LF = 0x0a;

export interface JsonLine {
  /** 1-based line in the file. */
  readonly line: number;
  readonly value: unknown;
}

export interface JsonLinesOptions {
  readonly onProgress?: (fraction: number) => void;
  readonly signal?: AbortSignal;
  /** Stop after this many records (sniffing the first line). */
  readonly stopAfter?: number;
  /** Refuse a line longer than this many bytes (MAX_JSON_LINE_BYTES unless told). */
  readonly maxLineBytes?: number;
}

/** Python's json module, and so pandas, writes and reads these bare tokens for non-finite floats. */
const NON_FINITE_TOKENS = ['-Infinity', 'Infinity', 'NaN'];
const NON_FINITE_VALUES: Record<string, number> = { '-Infinity': -Infinity, Infinity: Infinity, NaN: Number.NaN };
/** Marks a string made from a bare token, so a string "NaN" the file wrote is told apart. */
const TOKEN_MARK = '\u0000\u0001';

/**
 * The line with each bare NaN, Infinity or -Infinity outside a string replaced by a string of it,
 * so JSON.parse takes it; undefined when there is none (the line is then simply not JSON).
 */
function quoteNonFiniteTokens(text: string): string | undefined {
  let out = '';
  let from = 0;
  let found = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      // Skip the string, escapes included.
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      continue;
    }
    const token = NON_FINITE_TOKENS.find((candidate) => text.startsWith(candidate, i));
    if (token === undefined) continue;
    out += `${text.slice(from, i)}"\\u0000\\u0001${token}"`;
    i += token.length - 1;
    from = i + 1;
    found = true;
  }
  return found ? out + text.slice(from) : undefined;
}

/** JSON.parse, taking the bare non-finite tokens Python's json writes as the numbers they stand for. */
function parseJsonLine(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const quoted = quoteNonFiniteTokens(text);
    if (quoted === undefined) throw error;
    let value: unknown;
    try {
      value = JSON.parse(quoted) as unknown;
    } catch {
      throw error;
    }
    return restoreNonFinite(value, 0);
  }
}

const MAX_DEPTH = 64;

/** The strings quoteNonFiniteTokens made back into numbers; a string "NaN" the file wrote stays a string. */
function restoreNonFinite(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.startsWith(TOKEN_MARK) ? (NON_FINITE_VALUES[value.slice(TOKEN_MARK.length)] ?? value) : value;
  if (depth > MAX_DEPTH || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => restoreNonFinite(item, depth + 1));
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = restoreNonFinite(record[key], depth + 1);
  return record;
}

const lineLimit = (bytes: number) => (bytes >= 1 << 20 && bytes % (1 << 20) === 0 ? `${bytes >> 20} MB` : `${bytes} bytes`);

/**
 * A JSON Lines file (.jsonl, .ndjson) one record at a time, read a chunk at a time so memory
 * holds one chunk and one line, whatever the file's size. Blank lines are skipped; a line that
 * is not JSON stops the read with one line naming it.
 */
export async function* readJsonLines(source: ByteSource, options: JsonLinesOptions = {}): AsyncGenerator<JsonLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let line = 1;
  let records = 0;
  const maxLineBytes = options.maxLineBytes ?? MAX_JSON_LINE_BYTES;
  const tooLong = () => new DataFileError(source.name, `line ${line}`, `a line longer than ${lineLimit(maxLineBytes)}, the most a line may hold`);
  const parse = (bytes: Uint8Array): JsonLine | undefined => {
    if (bytes.length > maxLineBytes) throw tooLong();
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      throw new DataFileError(source.name, `line ${line}`, 'not valid UTF-8');
    }
    // A BOM on the first line and a CR before the LF are not part of the record.
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() === '') return undefined;
    try {
      return { line, value: parseJsonLine(text) };
    } catch (error) {
      throw new DataFileError(source.name, `line ${line}`, foreignReason(error));
    }
  };
  const joined = (tail: Uint8Array): Uint8Array => {
    if (pending.length === 0) return tail;
    const out = new Uint8Array(pendingBytes + tail.length);
    let at = 0;
    for (const part of pending) {
      out.set(part, at);
      at += part.length;
    }
    out.set(tail, at);
    pending = [];
    pendingBytes = 0;
    return out;
  };
  for (let offset = 0; offset < source.size;) {
    if (options.signal?.aborted) return;
    const length = Math.min(CHUNK_BYTES, source.size - offset);
    // A copy: a memory source hands out views of its bytes, and pending parts outlive the read.
    const chunk = (await source.read(offset, length)).slice();
    offset += length;
    let start = 0;
    for (let end = chunk.indexOf(LF, start); end !== -1; end = chunk.indexOf(LF, start)) {
      const bytes = joined(chunk.subarray(start, end));
      const record = parse(bytes);
      start = end + 1;
      if (record) {
        yield record;
        if (++records === options.stopAfter) return;
      }
      line++;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxLineBytes) throw tooLong();
    }
    options.onProgress?.(offset / source.size);
  }
  if (pendingBytes > 0) {
    const record = parse(joined(new Uint8Array(0)));
    if (record) yield record;
  }
}
