import type { ByteSource } from './byteSource';
import { DataFileError, describeError } from './errors';

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
}

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
  const parse = (bytes: Uint8Array): JsonLine | undefined => {
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
      return { line, value: JSON.parse(text) as unknown };
    } catch (error) {
      throw new DataFileError(source.name, `line ${line}`, describeError(error));
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
      if (pendingBytes > MAX_JSON_LINE_BYTES) throw new DataFileError(source.name, `line ${line}`, `a line longer than ${MAX_JSON_LINE_BYTES >> 20} MB`);
    }
    options.onProgress?.(offset / source.size);
  }
  if (pendingBytes > 0) {
    const record = parse(joined(new Uint8Array(0)));
    if (record) yield record;
  }
}
