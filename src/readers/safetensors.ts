/**
 * .safetensors files: an 8-byte little-endian header length, a JSON header mapping names to
 * {dtype, shape, data_offsets}, then the data section. Every entry is validated against the
 * others and the file size before any tensor is read; tensors are decoded in chunks.
 */
import { readAhead, type ByteSource } from './byteSource';
import { allocate, beyondSafeIntegerWarning, decodeInto, ITEMSIZE, safeProduct, SAFETENSORS_TYPES, storedAsIs } from './dtypes';
import { DataFileError, readingAt, quoteName } from './errors';
import { DEFAULT_LIMITS, raiseWith, type ReadLimits } from './limits';
import { leaveInFile, tensorLeftInFile } from './storedElements';
import type { Tensor, TensorDType, TensorFile, TensorReadOptions } from './tensor';

const CHUNK_BYTES = 8 * 2 ** 20;

interface Entry {
  readonly name: string;
  readonly dtype: TensorDType;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
  /** Position in the header, to break ties between empty tensors at one offset. */
  readonly order: number;
}

export async function readSafetensors(source: ByteSource, limits: ReadLimits = DEFAULT_LIMITS, options: TensorReadOptions = {}): Promise<TensorFile> {
  return readingAt(source.name, (at) => read(source, limits, options, at));
}

async function read(source: ByteSource, limits: ReadLimits, options: TensorReadOptions, at: (where: string) => void): Promise<TensorFile> {
  const file = source.name;
  const fail = (place: string, reason: string): never => {
    throw new DataFileError(file, place, reason);
  };
  if (source.size < 8) fail('byte 0', `${source.size} bytes is too short for a .safetensors file`);
  const prefix = await source.read(0, 8);
  const exactLength = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  // Compared as a double (exact below 2^53) but printed from the BigInt, so 2^62 reads as 2^62.
  const headerLength = Number(exactLength);
  if (headerLength > limits.maxHeaderBytes)
    fail(
      'byte 0',
      `the header length ${exactLength} is over the limit of ${limits.maxHeaderBytes} bytes (not a .safetensors file?)${raiseWith('maxHeaderBytes')}`,
    );
  if (8 + headerLength > source.size)
    fail('byte 0', `the header length ${headerLength} runs past the end of the file (${source.size} bytes); the file may be truncated`);
  if (headerLength < 2) fail('byte 0', `the header length ${headerLength} is too short for a JSON object`);
  const headerBytes = await source.read(8, headerLength);

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    return fail('byte 8', 'the header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    const index = jsonErrorIndex(text);
    return fail(`byte ${8 + Buffer.byteLength(text.slice(0, index))}`, 'the header is not valid JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return fail('byte 8', 'the header is not a JSON object');

  const dataStart = 8 + headerLength;
  const dataSize = source.size - dataStart;
  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  const keys = Object.keys(header);
  if (keys.length > limits.maxTensors + 1)
    fail('byte 8', `the header lists ${keys.length} entries, over the limit of ${limits.maxTensors} tensors${raiseWith('maxTensors')}`);
  keys.forEach((name, order) => {
    const value = (header as Record<string, unknown>)[name];
    const where = `tensor ${quoteName(name)}`;
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('byte 8', '__metadata__ is not a JSON object');
      const pairs = Object.entries(value);
      for (const [key, item] of pairs) if (typeof item !== 'string') fail('byte 8', `__metadata__ entry ${quoteName(key)} is not a string`);
      // fromEntries defines own properties, so a "__proto__" key stays a plain key.
      metadata = Object.fromEntries(pairs) as Record<string, string>;
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(where, 'the header entry is not a JSON object');
    const { dtype: dtypeName, shape, data_offsets: offsets } = value as Record<string, unknown>;
    if (typeof dtypeName !== 'string') return fail(where, 'dtype is missing or not a string');
    const dtype = Object.hasOwn(SAFETENSORS_TYPES, dtypeName) ? SAFETENSORS_TYPES[dtypeName] : undefined;
    if (!dtype) return fail(where, `dtype ${quoteName(dtypeName)} is not supported (${Object.keys(SAFETENSORS_TYPES).join(', ')} are)`);
    if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && size >= 0))
      return fail(where, 'shape is not a list of non-negative integers');
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((offset) => Number.isSafeInteger(offset) && offset >= 0)) {
      return fail(where, 'data_offsets is not a pair of non-negative integers');
    }
    const [begin, end] = offsets as [number, number];
    const bytes = safeProduct(shape as number[], ITEMSIZE[dtype]);
    if (bytes === undefined) return fail(where, `shape [${shape.join(', ')}] has more than 2^53 bytes`);
    if (end < begin) return fail(where, `data_offsets [${begin}, ${end}] end before they begin`);
    if (end - begin !== bytes)
      return fail(where, `data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${dtypeName} shape [${shape.join(', ')}] needs ${bytes}`);
    if (end > dataSize)
      return fail(
        where,
        `data_offsets [${begin}, ${end}] run past the end of the data section (${dataSize} bytes from byte ${dataStart}); the file may be truncated`,
      );
    entries.push({ name, dtype, shape: shape as number[], begin, end, order });
  });

  // File order (by data offset), which is the order the writer laid tensors out. The header's key
  // order is not meaningful: writers serialise a map, and JSON.parse puts integer-like keys first.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end || a.order - b.order);
  const warnings: string[] = [];
  let reached = 0;
  let total = 0;
  let previous: Entry | undefined;
  for (const entry of entries) {
    if (entry.begin < reached && previous)
      fail(
        `tensor ${quoteName(entry.name)}`,
        `data_offsets [${entry.begin}, ${entry.end}] overlap tensor ${quoteName(previous.name)} [${previous.begin}, ${previous.end}]`,
      );
    if (entry.begin > reached)
      warnings.push(`${entry.begin - reached} unused bytes in the data section before tensor ${quoteName(entry.name)} (byte ${dataStart + reached})`);
    if (entry.end > reached) {
      reached = entry.end;
      previous = entry;
    }
    total += entry.end - entry.begin;
  }
  if (reached < dataSize) warnings.push(`${dataSize - reached} unused bytes at the end of the data section (from byte ${dataStart + reached})`);
  if (total > limits.maxTensorBytes)
    fail('byte 8', `the tensors total ${total} bytes, over the limit of ${limits.maxTensorBytes}${raiseWith('maxTensorBytes')}`);

  const tensors: Tensor[] = [];
  const tensorBytes = readAhead(source);
  for (const entry of entries) {
    at(`tensor ${quoteName(entry.name)}`);
    const itemsize = ITEMSIZE[entry.dtype];
    const count = (entry.end - entry.begin) / itemsize;
    const inFile = leaveInFile(options, entry.end - entry.begin, source, dataStart + entry.begin);
    if (inFile) {
      tensors.push(tensorLeftInFile(entry.name, entry.dtype, entry.shape, { ...inFile, dtype: entry.dtype, littleEndian: true, count }));
      continue;
    }
    const data = allocate(entry.dtype, count);
    const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / itemsize));
    let beyond = 0;
    // Little-endian floats and integers sit in the file as in memory: read straight into the array.
    const direct = storedAsIs(entry.dtype, true, data, 0, count);
    if (direct) await tensorBytes.readInto!(dataStart + entry.begin, direct);
    for (let first = 0; first < count && !direct; first += perChunk) {
      const n = Math.min(perChunk, count - first);
      const bytes = await tensorBytes.read(dataStart + entry.begin + first * itemsize, n * itemsize);
      beyond += decodeInto(entry.dtype, bytes, true, n, data, first);
    }
    tensors.push({ name: entry.name, dtype: entry.dtype, shape: entry.shape, data });
    if (beyond > 0) warnings.push(beyondSafeIntegerWarning(entry.name, beyond, entry.dtype));
  }
  return { format: 'safetensors', tensors, metadata, warnings };
}

/**
 * Where JSON.parse gave up, as a string index: V8's messages do not always carry a position, so
 * the text is scanned by a small JSON syntax checker (iterative, so nesting cannot overflow).
 */
export function jsonErrorIndex(text: string): number {
  let i = 0;
  const n = text.length;
  const stack: string[] = [];
  const space = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const string = (): boolean => {
    if (text[i] !== '"') return false;
    i++;
    while (i < n) {
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        i++;
        return true;
      }
      if (code < 0x20) return false;
      if (code === 0x5c) {
        const escape = text[i + 1];
        if (escape !== undefined && '"\\/bfnrt'.includes(escape)) i += 2;
        else if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else {
          i++;
          return false;
        }
      } else i++;
    }
    return false;
  };
  // States: a value is expected, or a key, or what follows a value.
  let state: 'value' | 'key-or-close' | 'key' | 'after' = 'value';
  for (;;) {
    space();
    if (state === 'after') {
      const top = stack[stack.length - 1];
      if (top === undefined) return i < n ? i : n;
      if (text[i] === ',') {
        i++;
        state = top === '{' ? 'key' : 'value';
      } else if (text[i] === (top === '{' ? '}' : ']')) {
        i++;
        stack.pop();
      } else return i;
      continue;
    }
    if (state === 'key-or-close' && text[i] === '}') {
      i++;
      stack.pop();
      state = 'after';
      continue;
    }
    if (state === 'key' || state === 'key-or-close') {
      if (!string()) return i;
      space();
      if (text[i] !== ':') return i;
      i++;
      state = 'value';
      continue;
    }
    const char = text[i];
    if (char === '{') {
      i++;
      stack.push('{');
      state = 'key-or-close';
    } else if (char === '[') {
      i++;
      space();
      if (text[i] === ']') {
        i++;
        state = 'after';
      } else stack.push('[');
    } else if (char === '"') {
      if (!string()) return i;
      state = 'after';
    } else {
      const match = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!match) return i;
      i += match[0].length;
      state = 'after';
    }
  }
}
