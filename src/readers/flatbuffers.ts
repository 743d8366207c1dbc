/**
 * A read-only FlatBuffers table reader for Arrow's metadata (footer, messages, schema). Every
 * offset a buffer holds is checked before it is followed, so a damaged or hostile buffer throws
 * a FlatBufferError naming the byte instead of reading outside it or looping.
 */
export class FlatBufferError extends Error {}

export class FlatTable {
  private constructor(
    private readonly bytes: Uint8Array,
    private readonly view: DataView,
    /** Where the table starts in `bytes`. */
    readonly at: number,
    private readonly vtable: number,
    private readonly vtableSize: number,
  ) {}

  /** The root table of a buffer: a 4-byte offset at its start points to it. */
  static root(bytes: Uint8Array): FlatTable {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return FlatTable.at(bytes, view, check(bytes, 0, 4) + view.getUint32(0, true));
  }

  private static at(bytes: Uint8Array, view: DataView, table: number): FlatTable {
    check(bytes, table, 4);
    const vtable = table - view.getInt32(table, true);
    check(bytes, vtable, 4);
    const vtableSize = view.getUint16(vtable, true);
    if (vtableSize < 4 || vtableSize % 2 !== 0) throw new FlatBufferError(`the table at byte ${table} has a vtable of ${vtableSize} bytes`);
    check(bytes, vtable, vtableSize);
    const inline = view.getUint16(vtable + 2, true);
    check(bytes, table, Math.max(4, inline));
    return new FlatTable(bytes, view, table, vtable, vtableSize);
  }

  /** Where field `index` lies, or undefined when the table leaves it out (its default then applies). */
  private field(index: number, size: number): number | undefined {
    const slot = 4 + 2 * index;
    if (slot + 2 > this.vtableSize) return undefined;
    const offset = this.view.getUint16(this.vtable + slot, true);
    if (offset === 0) return undefined;
    return check(this.bytes, this.at + offset, size);
  }

  has(index: number): boolean {
    return this.field(index, 1) !== undefined;
  }

  uint8(index: number, fallback = 0): number {
    const at = this.field(index, 1);
    return at === undefined ? fallback : this.view.getUint8(at);
  }

  int8(index: number, fallback = 0): number {
    const at = this.field(index, 1);
    return at === undefined ? fallback : this.view.getInt8(at);
  }

  bool(index: number, fallback = false): boolean {
    const at = this.field(index, 1);
    return at === undefined ? fallback : this.view.getUint8(at) !== 0;
  }

  int16(index: number, fallback = 0): number {
    const at = this.field(index, 2);
    return at === undefined ? fallback : this.view.getInt16(at, true);
  }

  int32(index: number, fallback = 0): number {
    const at = this.field(index, 4);
    return at === undefined ? fallback : this.view.getInt32(at, true);
  }

  /** An int64 as a number; values beyond 2^53 are refused (no Arrow length or offset is that large). */
  int64(index: number, fallback = 0): number {
    const at = this.field(index, 8);
    return at === undefined ? fallback : safeInt64(this.view, at);
  }

  /** Where an offset field points, checked to lie inside the buffer. */
  private target(index: number): number | undefined {
    const at = this.field(index, 4);
    if (at === undefined) return undefined;
    const target = at + this.view.getUint32(at, true);
    check(this.bytes, target, 4);
    return target;
  }

  table(index: number): FlatTable | undefined {
    const target = this.target(index);
    return target === undefined ? undefined : FlatTable.at(this.bytes, this.view, target);
  }

  string(index: number): string | undefined {
    const target = this.target(index);
    if (target === undefined) return undefined;
    const length = this.view.getUint32(target, true);
    check(this.bytes, target + 4, length);
    return new TextDecoder('utf-8').decode(this.bytes.subarray(target + 4, target + 4 + length));
  }

  /** The length and first element's position of a vector of `elementSize`-byte elements, checked to fit. */
  private vector(index: number, elementSize: number): { readonly start: number; readonly length: number } | undefined {
    const target = this.target(index);
    if (target === undefined) return undefined;
    const length = this.view.getUint32(target, true);
    check(this.bytes, target + 4, length * elementSize);
    return { start: target + 4, length };
  }

  /** A vector of tables. */
  tables(index: number): FlatTable[] {
    const vector = this.vector(index, 4);
    if (!vector) return [];
    return Array.from({ length: vector.length }, (_, i) => {
      const at = vector.start + 4 * i;
      return FlatTable.at(this.bytes, this.view, at + this.view.getUint32(at, true));
    });
  }

  /** A vector of structs, each `size` bytes, read by `read(view, at)`. */
  structs<T>(index: number, size: number, read: (view: DataView, at: number) => T): T[] {
    const vector = this.vector(index, size);
    if (!vector) return [];
    return Array.from({ length: vector.length }, (_, i) => read(this.view, vector.start + size * i));
  }

  /** A vector of int64 scalars. */
  int64s(index: number): number[] {
    return this.structs(index, 8, (view, at) => safeInt64(view, at));
  }
}

/** An int64 read as a number: beyond 2^53 it is not a length or offset any file can hold. */
export function safeInt64(view: DataView, at: number, littleEndian = true): number {
  const value = view.getBigInt64(at, littleEndian);
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER))
    throw new FlatBufferError(`the 64-bit value at byte ${at} is ${value}, beyond any size a file can have`);
  return Number(value);
}

function check(bytes: Uint8Array, at: number, size: number): number {
  if (!(at >= 0 && size >= 0 && at + size <= bytes.length))
    throw new FlatBufferError(`an offset points to byte ${at}${size > 1 ? `..${at + size}` : ''}, outside the ${bytes.length} bytes of metadata`);
  return at;
}
