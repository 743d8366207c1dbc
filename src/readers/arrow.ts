import { decompress as zstdDecompress } from 'fzstd';
import type { ByteSource } from './byteSource';
import { float16Table } from './dtypes';
import { DataFileError, describeError, quoteName } from './errors';
import { FlatBufferError, FlatTable, safeInt64 } from './flatbuffers';
import { DEFAULT_LIMITS, raiseWith, type ReadLimits } from './limits';
import { decodeLz4Frame } from './lz4';
import type { NumericColumn, Table } from './table';

/**
 * Arrow IPC: the file format (Feather v2, `ARROW1` at both ends, a footer listing the record
 * batches) and the stream format (a schema message, then batches; Hugging Face `datasets` caches
 * are streams). Numeric columns are read, and lists of numbers of one length K as K columns.
 */

export const ARROW_MAGIC = 'ARROW1';
const FEATHER_V1_MAGIC = 'FEA1';
const CONTINUATION = 0xffffffff;
/** Columns a list may spread into, as for JSON Lines: a longer list is not a row of class scores. */
export const MAX_LIST_WIDTH = 1 << 16;
/** Deeper nesting of types than this is not a table of numbers, and would only cost stack. */
const MAX_TYPE_DEPTH = 64;

// Schema.fbs: the Type union and MessageHeader union.
const TYPE = {
  Null: 1,
  Int: 2,
  FloatingPoint: 3,
  Binary: 4,
  Utf8: 5,
  Bool: 6,
  Decimal: 7,
  Date: 8,
  Time: 9,
  Timestamp: 10,
  Interval: 11,
  List: 12,
  Struct: 13,
  Union: 14,
  FixedSizeBinary: 15,
  FixedSizeList: 16,
  Map: 17,
  Duration: 18,
  LargeBinary: 19,
  LargeUtf8: 20,
  LargeList: 21,
  RunEndEncoded: 22,
  BinaryView: 23,
  Utf8View: 24,
  ListView: 25,
  LargeListView: 26,
} as const;
const TYPE_NAMES = Object.fromEntries(Object.entries(TYPE).map(([name, id]) => [id, name])) as Record<number, string>;
const HEADER = { Schema: 1, DictionaryBatch: 2, RecordBatch: 3 } as const;
const METADATA_V5 = 4;
const CODECS = ['LZ4_FRAME', 'ZSTD'];

type Numeric =
  { readonly kind: 'int'; readonly bytes: number; readonly signed: boolean } | { readonly kind: 'float'; readonly bytes: number } | { readonly kind: 'bool' };

interface ArrowField {
  readonly name: string;
  readonly typeId: number;
  readonly type: FlatTable | undefined;
  readonly children: readonly ArrowField[];
  readonly dictionary: boolean;
}

interface BatchPlace {
  readonly at: number;
  readonly metadata: FlatTable;
  readonly body: number;
  readonly bodyLength: number;
}

/** A column as read so far: its batches' values, and for a list each row's start and length (-1: null). */
interface ColumnChunks {
  readonly field: ArrowField;
  readonly element: Numeric;
  readonly list: 'none' | 'variable' | 'fixed';
  readonly chunks: { readonly values: Float64Array; readonly starts?: Float64Array; readonly lengths?: Int32Array; readonly rows: number }[];
}

function numericType(field: ArrowField): Numeric | undefined {
  if (field.dictionary) return undefined;
  if (field.typeId === TYPE.Bool) return { kind: 'bool' };
  if (!field.type) return undefined;
  if (field.typeId === TYPE.Int) {
    const bits = field.type.int32(0);
    return [8, 16, 32, 64].includes(bits) ? { kind: 'int', bytes: bits / 8, signed: field.type.bool(1) } : undefined;
  }
  if (field.typeId === TYPE.FloatingPoint) {
    const precision = field.type.int16(0);
    return precision >= 0 && precision <= 2 ? { kind: 'float', bytes: 2 << precision } : undefined;
  }
  return undefined;
}

function parseField(table: FlatTable, depth: number): ArrowField {
  if (depth > MAX_TYPE_DEPTH) throw new FlatBufferError(`types nested over ${MAX_TYPE_DEPTH} deep`);
  return {
    name: table.string(0) ?? '',
    typeId: table.uint8(2),
    type: table.table(3),
    dictionary: table.has(4),
    children: table.tables(5).map((child) => parseField(child, depth + 1)),
  };
}

const text = (bytes: Uint8Array) => String.fromCharCode(...bytes);
const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');

/** Whether a file's first bytes are Arrow's: the file format's magic, or a stream's first message. */
export function isArrowHead(head: Uint8Array): boolean {
  return head.length >= 6 && text(head.subarray(0, 6)) === ARROW_MAGIC;
}

/**
 * Reads an Arrow IPC file or stream into a table: integer, float (16, 32, 64 bits) and boolean
 * columns, and list, large_list and fixed_size_list columns of them whose rows all hold K values
 * as K columns name_0 .. name_{K-1}. Nulls are NaN. Other columns (strings, dictionaries,
 * structs, ragged lists) are listed, not read. Buffers compressed with LZ4_FRAME or ZSTD are
 * decompressed within the limits on inflated size and ratio.
 */
export async function readArrow(
  source: ByteSource,
  limits: ReadLimits = DEFAULT_LIMITS,
): Promise<Table & { readonly warnings: readonly string[]; readonly textColumns: readonly { readonly name: string }[] }> {
  let place = '';
  const fail = (reason: string, where = place): never => {
    throw new DataFileError(source.name, where, reason);
  };
  try {
    const head = await source.read(0, Math.min(8, source.size));
    if (text(head.subarray(0, 4)) === FEATHER_V1_MAGIC)
      fail('Feather version 1 is not read: save it again as version 2 (pyarrow.feather.write_feather(table, path) writes version 2), or as Parquet', 'byte 0');
    const fileFormat = isArrowHead(head);
    const at = (where: string) => (place = where);
    const { schema, batches, version } = fileFormat ? await readFileLayout(source, limits, fail, at) : await readStreamLayout(source, limits, fail, at);
    place = 'the schema';
    const bigEndian = schema.int16(0) === 1;
    const fields = schema.tables(1).map((field) => parseField(field, 0));
    if (fields.length > limits.maxTensors) fail(`${fields.length} columns, more than the ${limits.maxTensors} read${raiseWith('maxTensors')}`);
    const columns: ColumnChunks[] = [];
    const unread: string[] = [];
    for (const field of fields) {
      const element = numericType(field);
      const isList = field.typeId === TYPE.List || field.typeId === TYPE.LargeList;
      const child =
        (isList || field.typeId === TYPE.FixedSizeList) && !field.dictionary && field.children.length === 1 ? numericType(field.children[0]!) : undefined;
      if (element) columns.push({ field, element, list: 'none', chunks: [] });
      else if (child) columns.push({ field, element: child, list: isList ? 'variable' : 'fixed', chunks: [] });
      else unread.push(field.name);
    }
    const readers = new Map(columns.map((column) => [column.field, column]));
    const warnings: string[] = [];
    let rows = 0;
    let decodedBytes = 0;
    let beyondSafe = 0;
    for (const [index, batch] of batches.entries()) {
      place = `record batch ${index} at byte ${batch.at}`;
      const length = batch.metadata.int64(0);
      if (length < 0) fail(`a length of ${length} rows`);
      const nodes = batch.metadata.structs(1, 16, (view, at) => ({ length: safeInt64(view, at), nulls: safeInt64(view, at + 8) }));
      const buffers = batch.metadata.structs(2, 16, (view, at) => ({ offset: safeInt64(view, at), length: safeInt64(view, at + 8) }));
      const compression = batch.metadata.table(3);
      const codec = compression ? compression.int8(0) : undefined;
      if (codec !== undefined && (codec < 0 || codec >= CODECS.length)) fail(`compression codec ${codec} is not one of ${CODECS.join(', ')}`);
      if (compression && compression.int8(1) !== 0) fail(`body compression method ${compression.int8(1)} is not BUFFER, the only one Arrow defines`);
      const variadic = batch.metadata.int64s(4);
      let node = 0;
      let buffer = 0;
      let view = 0;
      const takeNode = () => {
        const taken = nodes[node++] ?? fail(`the batch describes ${nodes.length} arrays, fewer than its schema's fields need`);
        if (taken.length < 0 || taken.nulls < 0 || taken.nulls > taken.length) fail(`an array of ${taken.length} values with ${taken.nulls} nulls`);
        return taken;
      };
      const takeBuffers = (count: number) => {
        if (buffer + count > buffers.length) fail(`the batch describes ${buffers.length} buffers, fewer than its schema's fields need`);
        const taken = buffers.slice(buffer, buffer + count);
        buffer += count;
        for (const { offset, length: size } of taken)
          if (offset < 0 || size < 0 || offset + size > batch.bodyLength)
            fail(`a buffer of ${size} bytes at ${offset} lies outside the body of ${batch.bodyLength} bytes`);
        return taken;
      };
      const bufferBytes = async ({ offset, length: size }: { offset: number; length: number }, what: string): Promise<Uint8Array> => {
        const stored = size === 0 ? new Uint8Array(0) : await source.read(batch.body + offset, size);
        if (codec === undefined || size === 0) return stored;
        if (size < 8) fail(`the ${what} buffer of ${size} bytes is too short for its compressed length`);
        const inflated = safeInt64(new DataView(stored.buffer, stored.byteOffset, 8), 0);
        if (inflated === -1) return stored.subarray(8);
        if (inflated < 0) fail(`the ${what} buffer declares ${inflated} bytes`);
        if (inflated > limits.maxInflatedBytes) fail(`the ${what} buffer would inflate to ${inflated} bytes, over the limit${raiseWith('maxInflatedBytes')}`);
        if (inflated > (size - 8) * limits.maxCompressionRatio + 1024)
          fail(`the ${what} buffer would inflate ${Math.round(inflated / (size - 8))} times, over the limit${raiseWith('maxCompressionRatio')}`);
        try {
          if (CODECS[codec] === 'ZSTD') {
            const output = zstdDecompress(stored.subarray(8), new Uint8Array(inflated));
            if (output.length !== inflated) fail(`the ${what} buffer inflates to ${output.length} bytes, not the ${inflated} it declares`);
            return output;
          }
          return decodeLz4Frame(stored.subarray(8), inflated);
        } catch (error) {
          if (error instanceof DataFileError) throw error;
          return fail(`the ${what} buffer cannot be decompressed with ${CODECS[codec]} (${describeError(error)})`);
        }
      };
      const account = (values: number) => {
        decodedBytes += values * 8;
        if (decodedBytes > limits.maxTensorBytes)
          fail(`the numeric columns exceed the ${Math.round(limits.maxTensorBytes / 2 ** 20)} MB the reader may decode${raiseWith('maxTensorBytes')}`);
      };
      const decodeNumbers = async (field: ArrowField, element: Numeric): Promise<Float64Array> => {
        const { length: count, nulls } = takeNode();
        const [validity, data] = takeBuffers(2) as [{ offset: number; length: number }, { offset: number; length: number }];
        account(count);
        const bytes = await bufferBytes(data, `${quoteName(field.name)} data`);
        const needed = element.kind === 'bool' ? Math.ceil(count / 8) : count * element.bytes;
        if (bytes.length < needed) fail(`${quoteName(field.name)} has ${count} values but its data buffer holds ${bytes.length} bytes, not ${needed}`);
        const out = new Float64Array(count);
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const little = !bigEndian;
        if (element.kind === 'bool') for (let i = 0; i < count; i++) out[i] = (bytes[i >> 3]! >> (i & 7)) & 1;
        else if (element.kind === 'float') {
          if (element.bytes === 8) for (let i = 0; i < count; i++) out[i] = dv.getFloat64(8 * i, little);
          else if (element.bytes === 4) for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, little);
          else {
            const half = float16Table();
            for (let i = 0; i < count; i++) out[i] = half[dv.getUint16(2 * i, little)]!;
          }
        } else if (element.bytes === 8) {
          for (let i = 0; i < count; i++) {
            const v = element.signed ? dv.getBigInt64(8 * i, little) : dv.getBigUint64(8 * i, little);
            const n = Number(v);
            if (!Number.isSafeInteger(n)) beyondSafe++;
            out[i] = n;
          }
        } else {
          const get = {
            1: element.signed ? (at: number) => dv.getInt8(at) : (at: number) => dv.getUint8(at),
            2: element.signed ? (at: number) => dv.getInt16(at, little) : (at: number) => dv.getUint16(at, little),
            4: element.signed ? (at: number) => dv.getInt32(at, little) : (at: number) => dv.getUint32(at, little),
          }[element.bytes as 1 | 2 | 4];
          for (let i = 0; i < count; i++) out[i] = get(element.bytes * i);
        }
        if (nulls > 0) {
          const valid = await bufferBytes(validity, `${quoteName(field.name)} validity`);
          if (valid.length > 0) {
            if (valid.length < Math.ceil(count / 8))
              fail(`${quoteName(field.name)}'s validity bitmap of ${valid.length} bytes is short of its ${count} values`);
            for (let i = 0; i < count; i++) if (!((valid[i >> 3]! >> (i & 7)) & 1)) out[i] = Number.NaN;
          }
        }
        return out;
      };
      /** Consumes the nodes and buffers of a field that is not read, and of all its children. */
      const skip = (field: ArrowField, depth: number) => {
        takeNode();
        if (field.dictionary) return void takeBuffers(2);
        const id = field.typeId;
        if (id === TYPE.Null || id === TYPE.RunEndEncoded) takeBuffers(0);
        else if (id === TYPE.Struct || id === TYPE.FixedSizeList) takeBuffers(1);
        else if ([TYPE.Binary, TYPE.Utf8, TYPE.LargeBinary, TYPE.LargeUtf8, TYPE.ListView, TYPE.LargeListView].includes(id as 4)) takeBuffers(3);
        else if (id === TYPE.BinaryView || id === TYPE.Utf8View) {
          const extra = variadic[view++] ?? fail(`a ${TYPE_NAMES[id]} column without its count of data buffers`);
          if (extra < 0 || extra > buffers.length) fail(`a ${TYPE_NAMES[id]} column with ${extra} data buffers`);
          takeBuffers(2 + extra);
        } else if (id === TYPE.Union) takeBuffers((field.type?.int16(0) === 1 ? 2 : 1) + (version < METADATA_V5 ? 1 : 0));
        else if (TYPE_NAMES[id] !== undefined) takeBuffers(2);
        else fail(`column ${quoteName(field.name)} has type ${id}, which Arrow does not define`);
        if (depth > MAX_TYPE_DEPTH) fail(`types nested over ${MAX_TYPE_DEPTH} deep`);
        for (const child of field.children) skip(child, depth + 1);
      };
      for (const field of fields) {
        const column = readers.get(field);
        if (!column) {
          skip(field, 0);
          continue;
        }
        const name = quoteName(field.name);
        if (column.list === 'none') {
          const values = await decodeNumbers(field, column.element);
          if (values.length !== length) fail(`column ${name} holds ${values.length} values in a batch of ${length} rows`);
          column.chunks.push({ values, rows: length });
          continue;
        }
        const { length: count, nulls } = takeNode();
        if (count !== length) fail(`column ${name} holds ${count} lists in a batch of ${length} rows`);
        const [validity, offsets] = takeBuffers(column.list === 'fixed' ? 1 : 2);
        const valid = nulls > 0 ? await bufferBytes(validity!, `${name} validity`) : new Uint8Array(0);
        if (valid.length > 0 && valid.length < Math.ceil(count / 8)) fail(`${name}'s validity bitmap of ${valid.length} bytes is short of its ${count} lists`);
        const isNull = (i: number) => valid.length > 0 && !((valid[i >> 3]! >> (i & 7)) & 1);
        let starts = new Float64Array(0);
        let lengths = new Int32Array(0);
        let childLength: number;
        if (column.list === 'fixed') {
          const width = field.type?.int32(0) ?? 0;
          if (width < 0 || width > MAX_LIST_WIDTH)
            fail(`column ${name} is a fixed_size_list of ${width}, more than the ${MAX_LIST_WIDTH} columns a list may spread into`);
          // Checked before anything of the batch's length is allocated: the values must be there.
          const values = nodes[node]?.length ?? 0;
          if (values < count * width) fail(`column ${name} holds ${values} values, short of ${count} lists of ${width}`);
          starts = new Float64Array(count);
          lengths = new Int32Array(count);
          for (let i = 0; i < count; i++) {
            starts[i] = i * width;
            lengths[i] = isNull(i) ? -1 : width;
          }
          childLength = count * width;
        } else {
          const wide = field.typeId === TYPE.LargeList ? 8 : 4;
          const bytes = await bufferBytes(offsets!, `${name} offsets`);
          if (count > 0 && bytes.length < (count + 1) * wide) fail(`column ${name}'s offsets buffer of ${bytes.length} bytes is short of its ${count} lists`);
          starts = new Float64Array(count);
          lengths = new Int32Array(count);
          const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          const offsetAt = (i: number) => (wide === 8 ? safeInt64(dv, 8 * i, !bigEndian) : dv.getInt32(4 * i, !bigEndian));
          let previous = count > 0 ? offsetAt(0) : 0;
          if (previous < 0) fail(`column ${name}'s first offset is ${previous}`);
          for (let i = 0; i < count; i++) {
            const next = offsetAt(i + 1);
            if (next < previous) fail(`column ${name}'s offsets decrease at row ${i} (${previous} then ${next})`);
            starts[i] = previous;
            lengths[i] = isNull(i) ? -1 : Math.min(next - previous, MAX_LIST_WIDTH + 1);
            previous = next;
          }
          childLength = previous;
        }
        const values = await decodeNumbers(field.children[0]!, column.element);
        if (values.length < childLength) fail(`column ${name}'s lists reach value ${childLength} of the ${values.length} its values hold`);
        column.chunks.push({ values, starts, lengths, rows: count });
      }
      rows += length;
    }
    place = '';
    const table: NumericColumn[] = [];
    for (const column of columns) {
      const name = column.field.name;
      if (column.list === 'none') {
        const values = new Float64Array(rows);
        let at = 0;
        for (const chunk of column.chunks) {
          values.set(chunk.values, at);
          at += chunk.rows;
        }
        table.push({ name, values, field: table.length });
        continue;
      }
      let width = -1;
      let firstRow = 0;
      let ragged: string | undefined;
      let row = 0;
      for (const chunk of column.chunks)
        for (let i = 0; i < chunk.rows && ragged === undefined; i++, row++) {
          const size = chunk.lengths![i]!;
          if (size < 0) continue;
          if (width < 0) [width, firstRow] = [size, row];
          else if (size !== width) ragged = `row ${firstRow} holds ${width} values, row ${row} ${size > MAX_LIST_WIDTH ? `over ${MAX_LIST_WIDTH}` : size}`;
        }
      if (ragged !== undefined || width <= 0 || width > MAX_LIST_WIDTH) {
        warnings.push(
          `column ${quoteName(name)} is not read: ${ragged !== undefined ? `its lists differ in length (${ragged})` : width > MAX_LIST_WIDTH ? `its lists hold over ${MAX_LIST_WIDTH} values` : 'its lists are empty or null'}`,
        );
        unread.push(name);
        continue;
      }
      const spread = Array.from({ length: width }, () => new Float64Array(rows).fill(Number.NaN));
      row = 0;
      for (const chunk of column.chunks)
        for (let i = 0; i < chunk.rows; i++, row++) {
          if (chunk.lengths![i]! < 0) continue;
          const start = chunk.starts![i]!;
          for (let j = 0; j < width; j++) spread[j]![row] = chunk.values[start + j]!;
        }
      spread.forEach((values, j) => table.push({ name: `${name}_${j}`, values, field: table.length }));
    }
    if (beyondSafe > 0) warnings.push(`${beyondSafe} int64 value(s) are beyond 2^53 and were rounded`);
    return { format: fileFormat ? 'arrow' : 'arrow stream', columns: table, rowCount: rows, warnings, textColumns: unread.map((name) => ({ name })) };
  } catch (error) {
    if (error instanceof DataFileError) throw error;
    throw new DataFileError(source.name, place, describeError(error));
  }
}

type Fail = (reason: string, where?: string) => never;

const uint32At = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);

/** One encapsulated message at `at`: the 0xFFFFFFFF continuation (or not, before Arrow 0.15), its length, its flatbuffer, its body. */
async function readMessage(
  source: ByteSource,
  at: number,
  limits: ReadLimits,
  fail: Fail,
): Promise<{ readonly message: FlatTable; readonly body: number; readonly bodyLength: number } | undefined> {
  const where = `the message at byte ${at}`;
  if (at + 4 > source.size) fail(`the stream ends at byte ${source.size} without its end-of-stream marker`, where);
  let prefix = 4;
  let length = uint32At(await source.read(at, 4));
  if (length === CONTINUATION) {
    if (at + 8 > source.size) fail(`the stream ends at byte ${source.size} inside a message's length`, where);
    length = uint32At(await source.read(at + 4, 4));
    prefix = 8;
  }
  if (length === 0) return undefined;
  if (length > limits.maxHeaderBytes) fail(`a message of ${length} bytes of metadata, over the limit${raiseWith('maxHeaderBytes')}`, where);
  if (at + prefix + length > source.size) fail(`its ${length} bytes of metadata run past the end of the file (${source.size} bytes)`, where);
  let message: FlatTable;
  let bodyLength: number;
  try {
    message = FlatTable.root(await source.read(at + prefix, length));
    bodyLength = message.int64(3);
  } catch (error) {
    return fail(`the message's metadata cannot be read (${describeError(error)})`, where);
  }
  const body = at + prefix + length;
  if (bodyLength < 0 || body + bodyLength > source.size)
    fail(`its body of ${bodyLength} bytes at byte ${body} runs past the end of the file (${source.size} bytes)`, where);
  return { message, body, bodyLength };
}

/** The metadata version (union layouts changed in V5), checked to be one Arrow defines. */
function checkVersion(message: FlatTable, fail: Fail, where: string): number {
  const version = message.int16(0);
  if (version < 0 || version > METADATA_V5) fail(`metadata version ${version + 1} is not one Arrow defines`, where);
  return version;
}

async function readStreamLayout(source: ByteSource, limits: ReadLimits, fail: Fail, at: (where: string) => void) {
  at('the stream');
  const first = await readMessage(source, 0, limits, fail);
  if (!first) return fail('the stream ends before its schema', 'byte 0');
  if (first.message.uint8(1) !== HEADER.Schema) {
    const head = await source.read(0, Math.min(8, source.size));
    fail(`not an Arrow IPC file or stream: it starts with ${hex(head)}, neither '${ARROW_MAGIC}' nor a schema message`, 'byte 0');
  }
  const version = checkVersion(first.message, fail, 'byte 0');
  const schema = first.message.table(2) ?? fail('the schema message has no schema', 'byte 0');
  const batches: BatchPlace[] = [];
  let offset = first.body + first.bodyLength;
  let messages = 1;
  for (;;) {
    if (offset === source.size) break; // A stream cut after a whole message: pyarrow reads it so too.
    at(`the message at byte ${offset}`);
    const next = await readMessage(source, offset, limits, fail);
    if (!next) break;
    if (++messages > limits.maxTensors) fail(`more than ${limits.maxTensors} messages${raiseWith('maxTensors')}`);
    const kind = next.message.uint8(1);
    if (kind === HEADER.RecordBatch)
      batches.push({
        at: offset,
        metadata: next.message.table(2) ?? fail('a record batch message without its batch'),
        body: next.body,
        bodyLength: next.bodyLength,
      });
    else if (kind !== HEADER.DictionaryBatch) fail(`a message of kind ${kind} where record batches should be`);
    offset = next.body + next.bodyLength;
  }
  return { schema, batches, version };
}

async function readFileLayout(source: ByteSource, limits: ReadLimits, fail: Fail, at: (where: string) => void) {
  at('the footer');
  if (source.size < 18) fail(`the file ends at byte ${source.size}, before the footer of the smallest Arrow file`);
  const tail = await source.read(source.size - 10, 10);
  if (text(tail.subarray(4)) !== ARROW_MAGIC)
    fail(`the file should end with '${ARROW_MAGIC}' at byte ${source.size - 6} but has ${hex(tail.subarray(4))}: the file is cut short or damaged`);
  const length = new DataView(tail.buffer, tail.byteOffset, 4).getInt32(0, true);
  const start = source.size - 10 - length;
  if (length <= 0 || start < 8)
    fail(
      `the footer's length at byte ${source.size - 10} is ${length} bytes, not between 1 and the ${source.size - 18} after the header: the file is cut short or damaged`,
    );
  if (length > limits.maxHeaderBytes) fail(`a footer of ${length} bytes, over the limit${raiseWith('maxHeaderBytes')}`);
  at(`the footer at byte ${start}`);
  const footer = FlatTable.root(await source.read(start, length));
  const version = checkVersion(footer, fail, `the footer at byte ${start}`);
  const schema = footer.table(1) ?? fail('the footer has no schema');
  const blocks = footer.structs(3, 24, (view, offset) => ({
    offset: safeInt64(view, offset),
    metadata: view.getInt32(offset + 8, true),
    body: safeInt64(view, offset + 16),
  }));
  if (blocks.length > limits.maxTensors) fail(`${blocks.length} record batches, more than the ${limits.maxTensors} read${raiseWith('maxTensors')}`);
  const batches: BatchPlace[] = [];
  for (const [index, block] of blocks.entries()) {
    const where = `record batch ${index} at byte ${block.offset}`;
    at(where);
    if (block.offset < 8 || block.metadata <= 0 || block.offset + block.metadata + block.body > start)
      fail(
        `the footer places it at byte ${block.offset} with ${block.metadata} bytes of metadata and ${block.body} of body, outside the data before the footer`,
      );
    const message = await readMessage(source, block.offset, limits, fail);
    if (!message || message.message.uint8(1) !== HEADER.RecordBatch) return fail('the footer points to something that is not a record batch');
    batches.push({
      at: block.offset,
      metadata: message.message.table(2) ?? fail('a record batch message without its batch'),
      body: block.offset + block.metadata,
      bodyLength: block.body,
    });
  }
  return { schema, batches, version };
}
