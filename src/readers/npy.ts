/**
 * NumPy .npy files (format versions 1.0, 2.0 and 3.0). The header is a Python dict literal; it
 * is parsed by a small literal parser here and never evaluated. Data is decoded in chunks read
 * by byte range, so the raw file is never held whole in memory.
 */
import { readBytesInto, type ByteSource } from './byteSource';
import { allocate, beyondSafeIntegerWarning, decodeInto, ITEMSIZE, numpyType, safeProduct, storedAsIs } from './dtypes';
import { DataFileError, foreignReason, quoteName } from './errors';
import { DEFAULT_LIMITS, raiseWith, type ReadLimits } from './limits';
import { leaveInFile, tensorLeftInFile } from './storedElements';
import type { NumericArray, Tensor, TensorDType, TensorFile, TensorReadOptions } from './tensor';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
/** Bytes decoded per read: large enough to amortise a read, small enough to keep two copies cheap. */
const CHUNK_BYTES = 8 * 2 ** 20;
/** Python literals nest at most this deep in a header (a structured dtype needs 4). */
const MAX_LITERAL_DEPTH = 32;

/** How a .npy held somewhere (a lone file, an .npz member) is named and located in messages. */
export interface NpyRangeOptions extends TensorReadOptions {
  /** Tensor name; structured arrays give one tensor per field, named `name.field`. */
  readonly name: string;
  readonly limits?: ReadLimits;
  /** Turns an offset in `source` into a place for messages; defaults to `byte N`. */
  readonly place?: (offset: number) => string;
  /** Tensor bytes still allowed across a whole archive; decremented as arrays are read. */
  readonly budget?: { remaining: number };
}

export interface NpyContent {
  readonly tensors: Tensor[];
  readonly warnings: string[];
}

/** Reads a lone .npy file. The tensor is named `name`, or after the file without its extension. */
export async function readNpy(source: ByteSource, limits: ReadLimits = DEFAULT_LIMITS, name?: string, options: TensorReadOptions = {}): Promise<TensorFile> {
  const stem = name ?? (source.name.replace(/^.*[\\/]/, '').replace(/\.npy$/i, '') || 'array');
  const { tensors, warnings } = await readNpyRange(source, { ...options, name: stem, limits });
  return { format: 'npy', tensors, metadata: {}, warnings };
}

/**
 * Parses the .npy that fills `source` (which may be a window on a larger file, or an inflated
 * archive member). Every failure is a DataFileError naming `source.name` and a place.
 */
export async function readNpyRange(source: ByteSource, options: NpyRangeOptions): Promise<NpyContent> {
  const place = options.place ?? ((offset: number) => `byte ${offset}`);
  let current = place(0);
  try {
    return await readRange(source, options, place, (where) => {
      current = where;
    });
  } catch (error) {
    if (error instanceof DataFileError) throw error;
    // A failed allocation or an unexpected short read: still one line, at the last known place.
    throw new DataFileError(source.name, current, foreignReason(error));
  }
}

interface Field {
  readonly name: string;
  readonly dtype: TensorDType;
  readonly littleEndian: boolean;
  /** Byte offset inside a record. */
  readonly offset: number;
  /** Sub-array shape of the field (empty for a scalar field). */
  readonly shape: readonly number[];
}

interface Header {
  readonly dataStart: number;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
  readonly recordBytes: number;
  /** One simple field named '' for a plain array; the named fields of a structured one. */
  readonly fields: readonly Field[];
  readonly structured: boolean;
  /** Header byte offsets of the values, for messages. */
  readonly shapeAt: number;
}

async function readRange(source: ByteSource, options: NpyRangeOptions, place: (offset: number) => string, at: (where: string) => void): Promise<NpyContent> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const fail = (offset: number, reason: string): never => {
    throw new DataFileError(source.name, place(offset), reason);
  };
  const header = await readHeader(source, limits, fail);
  const records = safeProduct(header.shape);
  if (records === undefined) return fail(header.shapeAt, `shape ${tuple(header.shape)} has more than 2^53 elements`);
  const dataBytes = records * header.recordBytes;
  if (!Number.isSafeInteger(dataBytes)) return fail(header.shapeAt, `shape ${tuple(header.shape)} needs more than 2^53 bytes`);
  const dataEnd = header.dataStart + dataBytes;
  if (dataEnd > source.size) {
    return fail(
      source.size,
      `the data is truncated: shape ${tuple(header.shape)} needs ${dataBytes} bytes from byte ${header.dataStart}, but the data ends at byte ${source.size}`,
    );
  }
  if (dataEnd < source.size)
    return fail(dataEnd, `${source.size - dataEnd} unexpected bytes after the data (shape ${tuple(header.shape)} needs ${dataBytes} bytes)`);
  const budget = options.budget ?? { remaining: limits.maxTensorBytes };
  if (dataBytes > budget.remaining)
    return fail(header.dataStart, `the data is ${dataBytes} bytes, over the limit of ${limits.maxTensorBytes} tensor bytes${raiseWith('maxTensorBytes')}`);
  budget.remaining -= dataBytes;

  const names = header.fields.map((field) => (header.structured ? `${options.name}.${field.name}` : options.name));
  at(`tensor ${quoteName(names[0]!)}`);
  const plain = header.fields[0]!;
  const inFile = !header.structured && !header.fortranOrder ? leaveInFile(options, dataBytes, source, header.dataStart) : undefined;
  if (inFile) {
    const count = records * (safeProduct(plain.shape) ?? 0);
    return {
      tensors: [
        tensorLeftInFile(names[0]!, plain.dtype, [...header.shape, ...plain.shape], { ...inFile, dtype: plain.dtype, littleEndian: plain.littleEndian, count }),
      ],
      warnings: [],
    };
  }
  const perRecord = header.fields.map((field) => safeProduct(field.shape) ?? 0);
  const outputs = header.fields.map((field, index) => allocate(field.dtype, records * perRecord[index]!));
  const beyond = header.fields.map(() => 0);
  const recordsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / Math.max(1, header.recordBytes)));
  const field = header.fields[0]!;
  const direct = !header.structured && storedAsIs(field.dtype, field.littleEndian, outputs[0]!, 0, records * perRecord[0]!);
  // A plain array stored as it sits in memory is read straight into it.
  if (direct) await readBytesInto(source, header.dataStart, direct);
  for (let first = 0; first < records && !direct; first += recordsPerChunk) {
    const count = Math.min(recordsPerChunk, records - first);
    const chunk = await source.read(header.dataStart + first * header.recordBytes, count * header.recordBytes);
    header.fields.forEach((field, index) => {
      const elements = count * perRecord[index]!;
      const out = outputs[index]!;
      if (!header.structured) {
        beyond[index]! += decodeInto(field.dtype, chunk, field.littleEndian, elements, out, first * perRecord[index]!);
        return;
      }
      // Gather this field's bytes from each record, then decode them in one pass.
      const fieldBytes = perRecord[index]! * ITEMSIZE[field.dtype];
      const gathered = new Uint8Array(count * fieldBytes);
      for (let r = 0; r < count; r++) {
        const from = r * header.recordBytes + field.offset;
        gathered.set(chunk.subarray(from, from + fieldBytes), r * fieldBytes);
      }
      beyond[index]! += decodeInto(field.dtype, gathered, field.littleEndian, elements, out, first * perRecord[index]!);
    });
  }

  const tensors: Tensor[] = [];
  const warnings: string[] = [];
  header.fields.forEach((field, index) => {
    const data = header.fortranOrder ? fortranToC(outputs[index]!, field.dtype, header.shape, perRecord[index]!) : outputs[index]!;
    tensors.push({ name: names[index]!, dtype: field.dtype, shape: [...header.shape, ...field.shape], data });
    if (beyond[index]! > 0) warnings.push(beyondSafeIntegerWarning(names[index]!, beyond[index]!, field.dtype));
  });
  return { tensors, warnings };
}

async function readHeader(source: ByteSource, limits: ReadLimits, fail: (offset: number, reason: string) => never): Promise<Header> {
  if (source.size < 10) fail(0, `${source.size} bytes is too short for a .npy file`);
  const head = await source.read(0, 12 <= source.size ? 12 : 10);
  if (head[0] === 0x50 && head[1] === 0x4b) fail(0, 'this is a zip archive (an .npz?), not a .npy file');
  for (let i = 0; i < MAGIC.length; i++) if (head[i] !== MAGIC[i]) fail(0, 'not a .npy file (no \\x93NUMPY magic)');
  const major = head[6]!;
  const minor = head[7]!;
  if (!((major === 1 || major === 2 || major === 3) && minor === 0)) fail(6, `unsupported .npy format version ${major}.${minor} (1.0, 2.0 and 3.0 are read)`);
  if (major > 1 && source.size < 12) fail(source.size, `${source.size} bytes is too short for a version ${major}.0 .npy file`);
  const headerStart = major === 1 ? 10 : 12;
  const headerLength = major === 1 ? head[8]! | (head[9]! << 8) : (head[8]! | (head[9]! << 8) | (head[10]! << 16)) + head[11]! * 2 ** 24;
  if (headerLength > limits.maxHeaderBytes)
    fail(8, `the header length ${headerLength} is over the limit of ${limits.maxHeaderBytes} bytes${raiseWith('maxHeaderBytes')}`);
  if (headerStart + headerLength > source.size)
    fail(8, `the header length ${headerLength} runs past the end of the data (${source.size} bytes); the file may be truncated`);
  const bytes = await source.read(headerStart, headerLength);

  let text: string;
  if (major === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return fail(headerStart, 'the version 3.0 header is not valid UTF-8');
    }
  } else {
    text = latin1(bytes);
  }
  // Offsets in messages are bytes: UTF-8 characters may be longer than one.
  const byteAt = (index: number): number => headerStart + (major === 3 ? Buffer.byteLength(text.slice(0, index)) : index);
  const parser = new LiteralParser(text, (index, reason) => fail(byteAt(index), reason));
  const dict = parser.parseHeader();
  if (dict.kind !== 'dict') return fail(byteAt(dict.at), 'the header is not a Python dict');
  const entries = new Map<string, PyValue>();
  for (const [key, value] of dict.entries) {
    if (key.kind !== 'str') return fail(byteAt(key.at), 'a header key is not a string');
    if (!['descr', 'fortran_order', 'shape'].includes(key.value))
      return fail(byteAt(key.at), `unexpected header key ${quoteName(key.value)} (a .npy header has descr, fortran_order and shape)`);
    entries.set(key.value, value);
  }
  for (const key of ['descr', 'fortran_order', 'shape']) if (!entries.has(key)) fail(byteAt(dict.at), `the header has no '${key}'`);
  const descr = entries.get('descr')!;
  const fortran = entries.get('fortran_order')!;
  const shapeValue = entries.get('shape')!;
  if (fortran.kind !== 'bool') return fail(byteAt(fortran.at), 'fortran_order is not True or False');
  if (shapeValue.kind !== 'tuple') return fail(byteAt(shapeValue.at), 'shape is not a tuple');
  const shape = dimensions(shapeValue, (index, reason) => fail(byteAt(index), reason));

  let fields: Field[];
  let recordBytes: number;
  let structured = false;
  if (descr.kind === 'str') {
    const type = numpyType(descr.value);
    if (typeof type === 'string') return fail(byteAt(descr.at), type);
    fields = [{ name: '', dtype: type.dtype, littleEndian: type.littleEndian, offset: 0, shape: [] }];
    recordBytes = ITEMSIZE[type.dtype];
  } else if (descr.kind === 'list') {
    structured = true;
    ({ fields, recordBytes } = structuredFields(descr, limits, (index, reason) => fail(byteAt(index), reason)));
  } else {
    return fail(byteAt(descr.at), 'descr is neither a type string nor a list of fields');
  }
  return { dataStart: headerStart + headerLength, fortranOrder: fortran.value, shape, recordBytes, fields, structured, shapeAt: byteAt(shapeValue.at) };
}

/** A shape as NumPy prints it: (3,) and (2, 3). */
const tuple = (shape: readonly number[]): string => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`);

/** Header bytes of versions 1.0 and 2.0 are Latin-1 (TextDecoder's 'latin1' is really windows-1252). */
function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return text;
}

function dimensions(tuple: PyValue & { kind: 'tuple' | 'list' }, fail: (index: number, reason: string) => never): number[] {
  return tuple.items.map((item) => {
    if (item.kind !== 'int') return fail(item.at, 'a dimension is not an integer');
    if (item.value === undefined || !Number.isSafeInteger(item.value)) return fail(item.at, `dimension ${item.text} is beyond 2^53`);
    if (item.value < 0) return fail(item.at, `dimension ${item.value} is negative`);
    return item.value;
  });
}

/** A structured dtype's fields when each is a simple number type (sub-arrays allowed); anything else is refused. */
function structuredFields(
  descr: PyValue & { kind: 'tuple' | 'list' },
  limits: ReadLimits,
  fail: (index: number, reason: string) => never,
): { fields: Field[]; recordBytes: number } {
  const fields: Field[] = [];
  const names = new Set<string>();
  let offset = 0;
  if (descr.items.length === 0) fail(descr.at, 'the structured dtype has no fields');
  descr.items.forEach((item, index) => {
    if (item.kind !== 'tuple' || item.items.length < 2 || item.items.length > 3)
      return fail(item.at, 'a field of the structured dtype is not a (name, type[, shape]) tuple');
    const [firstValue, typeValue, shapeValue] = item.items as [PyValue, PyValue, PyValue | undefined];
    let nameValue = firstValue;
    // A (title, name) pair names the field by its second element.
    if (nameValue.kind === 'tuple' && nameValue.items.length === 2) nameValue = nameValue.items[1]!;
    if (nameValue.kind !== 'str') return fail(nameValue.at, 'a field name is not a string');
    if (typeValue.kind === 'list')
      return fail(typeValue.at, `field ${quoteName(nameValue.value)} is itself structured; only fields of simple number types are read`);
    if (typeValue.kind !== 'str') return fail(typeValue.at, `the type of field ${quoteName(nameValue.value)} is not a type string`);
    const padding = /^[|<>=]?V(\d+)$/.exec(typeValue.value);
    if (nameValue.value === '' && padding) {
      // Alignment padding: NumPy writes it as unnamed raw bytes.
      offset += Number(padding[1]);
      return;
    }
    const type = numpyType(typeValue.value);
    if (typeof type === 'string') return fail(typeValue.at, `field ${quoteName(nameValue.value)}: ${type}`);
    let subShape: number[] = [];
    if (shapeValue) {
      if (shapeValue.kind === 'int') subShape = dimensions({ kind: 'tuple', at: shapeValue.at, items: [shapeValue] }, fail);
      else if (shapeValue.kind === 'tuple') subShape = dimensions(shapeValue, fail);
      else return fail(shapeValue.at, `the shape of field ${quoteName(nameValue.value)} is not a tuple`);
    }
    const elements = safeProduct(subShape, ITEMSIZE[type.dtype]);
    if (elements === undefined) return fail(item.at, `field ${quoteName(nameValue.value)} is too large`);
    const name = nameValue.value === '' ? `f${index}` : nameValue.value;
    if (names.has(name)) return fail(nameValue.at, `two fields are named ${quoteName(name)}`);
    names.add(name);
    fields.push({ name, dtype: type.dtype, littleEndian: type.littleEndian, offset, shape: subShape });
    offset += elements;
    if (!Number.isSafeInteger(offset)) return fail(item.at, 'the structured dtype is too large');
  });
  if (fields.length === 0) fail(descr.at, 'the structured dtype has only padding');
  if (fields.length > limits.maxTensors)
    fail(descr.at, `the structured dtype has ${fields.length} fields, over the limit of ${limits.maxTensors} tensors${raiseWith('maxTensors')}`);
  return { fields, recordBytes: offset };
}

/** Fortran (column-major) order to C order; `block` elements per record (a field's sub-array) stay together. */
function fortranToC(data: NumericArray, dtype: TensorDType, shape: readonly number[], block: number): NumericArray {
  const rank = shape.length;
  if (rank < 2 || data.length === 0) return data;
  const out = allocate(dtype, data.length);
  const strides: number[] = [];
  let stride = 1;
  for (let k = 0; k < rank; k++) {
    strides.push(stride);
    stride *= shape[k]!;
  }
  const index = new Array<number>(rank).fill(0);
  const records = data.length / block;
  let from = 0;
  for (let i = 0; i < records; i++) {
    if (block === 1) out[i] = data[from]!;
    else for (let b = 0; b < block; b++) out[i * block + b] = data[from * block + b]!;
    // Advance the C-order odometer (last axis fastest) and follow it in Fortran strides.
    for (let k = rank - 1; k >= 0; k--) {
      index[k]!++;
      from += strides[k]!;
      if (index[k]! < shape[k]!) break;
      from -= strides[k]! * shape[k]!;
      index[k] = 0;
    }
  }
  return out;
}

// ---- Python literals ---------------------------------------------------------------------------

type PyValue =
  | { readonly kind: 'str'; readonly at: number; readonly value: string }
  /** value is undefined when the integer is beyond 2^53; text keeps its digits for messages. */
  | { readonly kind: 'int'; readonly at: number; readonly value: number | undefined; readonly text: string }
  | { readonly kind: 'float'; readonly at: number; readonly value: number }
  | { readonly kind: 'bool'; readonly at: number; readonly value: boolean }
  | { readonly kind: 'none'; readonly at: number }
  | { readonly kind: 'tuple' | 'list'; readonly at: number; readonly items: PyValue[] }
  | { readonly kind: 'dict'; readonly at: number; readonly entries: [PyValue, PyValue][] };

/** Strings, numbers, True/False/None, tuples, lists and dicts: the literals a .npy header uses, and nothing that runs. */
class LiteralParser {
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly fail: (index: number, reason: string) => never,
  ) {}

  parseHeader(): PyValue {
    const value = this.value(0);
    this.space();
    if (this.i < this.text.length) this.fail(this.i, `unexpected ${this.describe()} after the header dict`);
    return value;
  }

  private space(): void {
    while (this.i < this.text.length && ' \t\n\r\f\v'.includes(this.text[this.i]!)) this.i++;
  }

  private describe(): string {
    if (this.i >= this.text.length) return 'end of the header';
    const rest = this.text.slice(this.i, this.i + 12).replace(/[^\x20-\x7e]/g, '?');
    return `'${rest}'`;
  }

  private expect(char: string): void {
    this.space();
    if (this.text[this.i] !== char) this.fail(this.i, `expected '${char}' but found ${this.describe()}`);
    this.i++;
  }

  private value(depth: number): PyValue {
    if (depth > MAX_LITERAL_DEPTH) this.fail(this.i, 'the header nests too deeply');
    this.space();
    const at = this.i;
    const char = this.text[this.i];
    if (char === undefined) return this.fail(at, 'the header ends where a value was expected');
    if (char === '{') {
      this.i++;
      const entries: [PyValue, PyValue][] = [];
      while (!this.close('}', entries.length > 0)) {
        const key = this.value(depth + 1);
        this.expect(':');
        entries.push([key, this.value(depth + 1)]);
      }
      return { kind: 'dict', at, entries };
    }
    if (char === '(' || char === '[') {
      this.i++;
      const closing = char === '(' ? ')' : ']';
      const items: PyValue[] = [];
      let trailingComma = false;
      for (;;) {
        this.space();
        if (this.text[this.i] === closing) {
          this.i++;
          break;
        }
        if (items.length > 0) {
          this.expect(',');
          trailingComma = true;
          this.space();
          if (this.text[this.i] === closing) {
            this.i++;
            break;
          }
        }
        items.push(this.value(depth + 1));
        trailingComma = false;
      }
      // As in Python, "(x)" is x; only a comma makes a one-element tuple.
      if (char === '(' && items.length === 1 && !trailingComma) return items[0]!;
      return { kind: char === '(' ? 'tuple' : 'list', at, items };
    }
    if (char === "'" || char === '"') return this.string(at, 0);
    if (/[uUbB]/.test(char) && (this.text[this.i + 1] === "'" || this.text[this.i + 1] === '"')) return this.string(at, 1);
    if (/[-+0-9.]/.test(char)) return this.number(at);
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.i, this.i + 64))?.[0];
    if (word === 'True' || word === 'False') {
      this.i += word.length;
      return { kind: 'bool', at, value: word === 'True' };
    }
    if (word === 'None') {
      this.i += 4;
      return { kind: 'none', at };
    }
    return this.fail(at, `unexpected ${this.describe()} in the header (only Python literals are read, never evaluated)`);
  }

  /** After a dict item: true at the closing brace, else consumes the comma between items. */
  private close(closing: string, hasItems: boolean): boolean {
    this.space();
    if (this.text[this.i] === closing) {
      this.i++;
      return true;
    }
    if (hasItems) {
      this.expect(',');
      this.space();
      if (this.text[this.i] === closing) {
        this.i++;
        return true;
      }
    }
    return false;
  }

  private string(at: number, prefix: number): PyValue {
    const quote = this.text[at + prefix]!;
    if (this.text.startsWith(quote.repeat(3), at + prefix)) this.fail(at, 'triple-quoted strings are not read');
    this.i = at + prefix + 1;
    let value = '';
    for (;;) {
      const char = this.text[this.i];
      if (char === undefined || char === '\n') return this.fail(at, 'unterminated string in the header');
      this.i++;
      if (char === quote) break;
      if (char !== '\\') {
        value += char;
        continue;
      }
      const escape = this.text[this.i++];
      const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };
      if (escape === undefined) return this.fail(at, 'unterminated string in the header');
      if (escape in simple) value += simple[escape];
      else if (escape === 'x' || escape === 'u' || escape === 'U') {
        const digits = escape === 'x' ? 2 : escape === 'u' ? 4 : 8;
        const hex = this.text.slice(this.i, this.i + digits);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) return this.fail(this.i - 2, `bad \\${escape} escape in a header string`);
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) return this.fail(this.i - 2, `bad \\${escape} escape in a header string`);
        value += String.fromCodePoint(code);
        this.i += digits;
      } else if (/[0-7]/.test(escape)) {
        const octal = /^[0-7]{1,3}/.exec(this.text.slice(this.i - 1, this.i + 2))![0];
        value += String.fromCharCode(parseInt(octal, 8));
        this.i += octal.length - 1;
      } else value += `\\${escape}`;
    }
    return { kind: 'str', at, value };
  }

  private number(at: number): PyValue {
    const match = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?[lL]?/.exec(this.text.slice(this.i, this.i + 400));
    if (!match) return this.fail(at, `unexpected ${this.describe()} in the header`);
    this.i += match[0].length;
    const text = match[0].replace(/[lL]$/, '');
    if (/^[-+]?\d+$/.test(text)) {
      // Python 2 wrote long integers with an L suffix ("(10L,)"); the value is the same.
      const value = Number(text);
      return { kind: 'int', at, value: Number.isSafeInteger(value) ? value : undefined, text };
    }
    return { kind: 'float', at, value: Number(text) };
  }
}
