import { quoteName } from './errors';
/**
 * Element types shared by the .npy/.npz and .safetensors readers: sizes, the names each format
 * uses, and bulk decoders from raw bytes (any alignment, either byte order) into Tensor.data.
 */
import type { NumericArray, TensorDType } from './tensor';

export const ITEMSIZE: Readonly<Record<TensorDType, number>> = {
  bool: 1,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  float16: 2,
  bfloat16: 2,
  float32: 4,
  float64: 8,
  float8_e4m3fn: 1,
  float8_e5m2: 1,
};

/** NumPy type codes without the byte-order character ('<f4' is 'f4'); 'b1' is NumPy's bool. */
export const NUMPY_TYPES: Readonly<Record<string, TensorDType>> = {
  b1: 'bool',
  i1: 'int8',
  u1: 'uint8',
  i2: 'int16',
  u2: 'uint16',
  i4: 'int32',
  u4: 'uint32',
  i8: 'int64',
  u8: 'uint64',
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
};

/** The dtype names of the safetensors header. */
export const SAFETENSORS_TYPES: Readonly<Record<string, TensorDType>> = {
  BOOL: 'bool',
  I8: 'int8',
  U8: 'uint8',
  I16: 'int16',
  U16: 'uint16',
  I32: 'int32',
  U32: 'uint32',
  I64: 'int64',
  U64: 'uint64',
  F16: 'float16',
  BF16: 'bfloat16',
  F32: 'float32',
  F64: 'float64',
  F8_E4M3: 'float8_e4m3fn',
  F8_E5M2: 'float8_e5m2',
};

export interface NumpyType {
  readonly dtype: TensorDType;
  readonly littleEndian: boolean;
}

/**
 * A NumPy type string ('<f4', '>i8', '|b1', '=u2', '?') as a dtype and byte order, or a reason
 * it is not read. '=' and '|' mean the writer's native order, which is little-endian on every
 * machine NumPy wheels are built for.
 */
export function numpyType(typestr: string): NumpyType | string {
  let order = '=';
  let code = typestr;
  if (code.length > 0 && '<>|='.includes(code[0]!)) {
    order = code[0]!;
    code = code.slice(1);
  }
  if (code === '?' || code === 'b') code = code === '?' ? 'b1' : 'i1';
  if (code === 'B') code = 'u1';
  const dtype = NUMPY_TYPES[code];
  if (dtype) return { dtype, littleEndian: order !== '>' };
  const kind = code[0] ?? '';
  if (kind === 'O') return 'object arrays are pickles; refusing to read them';
  if (kind === 'c') return `complex dtype ${quoteName(typestr)} is not supported`;
  if (kind === 'U' || kind === 'S' || kind === 'a') return `string dtype ${quoteName(typestr)} is not numeric`;
  if (kind === 'M' || kind === 'm') return `datetime dtype ${quoteName(typestr)} is not supported`;
  if (kind === 'V') return `raw void dtype ${quoteName(typestr)} is not numeric`;
  if (kind === 'f') return `float dtype ${quoteName(typestr)} is not supported (float16, float32 and float64 are)`;
  return `dtype ${quoteName(typestr)} is not supported`;
}

/** Arrays of at least this many bytes live in shared memory, so scoring threads read them without a copy. */
const SHARED_MIN_BYTES = 1 << 20;

export function allocate(dtype: TensorDType, count: number): NumericArray {
  const memory = (bytesPerElement: number) =>
    count * bytesPerElement >= SHARED_MIN_BYTES ? new SharedArrayBuffer(count * bytesPerElement) : new ArrayBuffer(count * bytesPerElement);
  switch (dtype) {
    case 'bool':
    case 'uint8':
      return new Uint8Array(memory(1));
    case 'int8':
      return new Int8Array(memory(1));
    case 'int16':
      return new Int16Array(memory(2));
    case 'uint16':
      return new Uint16Array(memory(2));
    case 'int32':
      return new Int32Array(memory(4));
    case 'uint32':
      return new Uint32Array(memory(4));
    case 'int64':
    case 'uint64':
    case 'float64':
      return new Float64Array(memory(8));
    case 'float16':
    case 'bfloat16':
    case 'float32':
    case 'float8_e4m3fn':
    case 'float8_e5m2':
      return new Float32Array(memory(4));
  }
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let halfTable: Float32Array | undefined;

/** All 65,536 float16 values, built on first use: one lookup per element beats bit twiddling. */
export function float16Table(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const fraction = bits & 0x3ff;
    table[bits] =
      exponent === 0
        ? sign * fraction * 2 ** -24
        : exponent === 31
          ? fraction
            ? Number.NaN
            : sign * Infinity
          : sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  halfTable = table;
  return table;
}

const float8Tables: Partial<Record<'float8_e4m3fn' | 'float8_e5m2', Float32Array>> = {};

/**
 * float8 as 256-entry tables. e4m3fn (bias 7) has no infinities and one NaN pattern per sign
 * (S.1111.111), so its largest value is 448; e5m2 (bias 15) follows IEEE: exponent 31 is inf/NaN.
 */
export function float8Table(dtype: 'float8_e4m3fn' | 'float8_e5m2'): Float32Array {
  const cached = float8Tables[dtype];
  if (cached) return cached;
  const table = new Float32Array(256);
  const [exponentBits, bias] = dtype === 'float8_e4m3fn' ? [4, 7] : [5, 15];
  const fractionBits = 7 - exponentBits;
  const top = (1 << exponentBits) - 1;
  const fractionMask = (1 << fractionBits) - 1;
  for (let bits = 0; bits < 256; bits++) {
    const sign = bits & 0x80 ? -1 : 1;
    const exponent = (bits >> fractionBits) & top;
    const fraction = bits & fractionMask;
    let value: number;
    if (dtype === 'float8_e4m3fn' && exponent === top && fraction === fractionMask) value = Number.NaN;
    else if (dtype === 'float8_e5m2' && exponent === top) value = fraction ? Number.NaN : sign * Infinity;
    else if (exponent === 0) value = sign * fraction * 2 ** (1 - bias - fractionBits);
    else value = sign * (1 + fraction / (1 << fractionBits)) * 2 ** (exponent - bias);
    table[bits] = value;
  }
  float8Tables[dtype] = table;
  return table;
}

/** `bytes` as elements of `size` bytes in host order, in an aligned array: a view when possible, else one copy (swapped if needed). */
function hostOrdered(bytes: Uint8Array, size: number, littleEndian: boolean): Uint8Array {
  const aligned = bytes.byteOffset % size === 0;
  if (littleEndian === HOST_LITTLE_ENDIAN) return aligned ? bytes : bytes.slice();
  const copy = bytes.slice();
  swapInPlace(copy, size);
  return copy;
}

function swapInPlace(bytes: Uint8Array, size: number): void {
  const n = bytes.length - (bytes.length % size);
  if (size === 2) {
    for (let i = 0; i < n; i += 2) {
      const a = bytes[i]!;
      bytes[i] = bytes[i + 1]!;
      bytes[i + 1] = a;
    }
  } else if (size === 4) {
    for (let i = 0; i < n; i += 4) {
      const a = bytes[i]!;
      const b = bytes[i + 1]!;
      bytes[i] = bytes[i + 3]!;
      bytes[i + 1] = bytes[i + 2]!;
      bytes[i + 2] = b;
      bytes[i + 3] = a;
    }
  } else if (size === 8) {
    for (let i = 0; i < n; i += 8) {
      for (let j = 0; j < 4; j++) {
        const a = bytes[i + j]!;
        bytes[i + j] = bytes[i + 7 - j]!;
        bytes[i + 7 - j] = a;
      }
    }
  }
}

/**
 * Decodes `count` elements of `dtype` from `bytes` (which must hold at least count * itemsize
 * bytes, at any byte offset) into `out` from index `at`. `out` must come from allocate(dtype).
 * Returns how many int64/uint64 values have a magnitude beyond 2^53 (rounded to the nearest
 * double, as NumPy's astype(float64) does); 0 for other dtypes.
 */
export function decodeInto(dtype: TensorDType, bytes: Uint8Array, littleEndian: boolean, count: number, out: NumericArray, at: number): number {
  const size = ITEMSIZE[dtype];
  const raw = bytes.subarray(0, count * size);
  switch (dtype) {
    case 'bool': {
      const target = out as Uint8Array;
      for (let i = 0; i < count; i++) target[at + i] = raw[i] ? 1 : 0;
      return 0;
    }
    case 'int8':
    case 'uint8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'float32':
    case 'float64': {
      // Same layout as the output array: a byte copy into it, then a swap when the order differs.
      const target = new Uint8Array(out.buffer, out.byteOffset + at * size, count * size);
      target.set(raw);
      if (size > 1 && littleEndian !== HOST_LITTLE_ENDIAN) swapInPlace(target, size);
      return 0;
    }
    case 'float16': {
      const ordered = hostOrdered(raw, 2, littleEndian);
      const halves = new Uint16Array(ordered.buffer, ordered.byteOffset, count);
      const table = float16Table();
      const target = out as Float32Array;
      for (let i = 0; i < count; i++) target[at + i] = table[halves[i]!]!;
      return 0;
    }
    case 'bfloat16': {
      // bfloat16 is the high half of a float32: write the bits straight into the output.
      const ordered = hostOrdered(raw, 2, littleEndian);
      const halves = new Uint16Array(ordered.buffer, ordered.byteOffset, count);
      const target = new Uint32Array(out.buffer, out.byteOffset + at * 4, count);
      for (let i = 0; i < count; i++) target[i] = halves[i]! << 16;
      return 0;
    }
    case 'float8_e4m3fn':
    case 'float8_e5m2': {
      const table = float8Table(dtype);
      const target = out as Float32Array;
      for (let i = 0; i < count; i++) target[at + i] = table[raw[i]!]!;
      return 0;
    }
    case 'int64':
    case 'uint64': {
      const target = out as Float64Array;
      let beyond = 0;
      if (!HOST_LITTLE_ENDIAN) {
        const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
        const [lowAt, highAt] = littleEndian ? [0, 4] : [4, 0];
        for (let i = 0; i < count; i++) {
          const low = view.getUint32(8 * i + lowAt, littleEndian);
          const high = dtype === 'int64' ? view.getInt32(8 * i + highAt, littleEndian) : view.getUint32(8 * i + highAt, littleEndian);
          target[at + i] = high * 4294967296 + low;
          if (high > 0x200000 || (high === 0x200000 && low > 0) || high < -0x200000) beyond++;
        }
        return beyond;
      }
      const ordered = hostOrdered(raw, 8, littleEndian);
      const lows = new Uint32Array(ordered.buffer, ordered.byteOffset, 2 * count);
      const highs = dtype === 'int64' ? new Int32Array(ordered.buffer, ordered.byteOffset, 2 * count) : lows;
      for (let i = 0; i < count; i++) {
        const low = lows[2 * i]!;
        const high = highs[2 * i + 1]!;
        // high * 2^32 is exact, so the sum rounds once, to nearest even, like NumPy's cast.
        target[at + i] = high * 4294967296 + low;
        if (high > 0x200000 || (high === 0x200000 && low > 0) || high < -0x200000) beyond++;
      }
      return beyond;
    }
  }
}

const AS_STORED = new Set<TensorDType>(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64']);

/**
 * The memory of out[at, at + count) when `dtype` in this byte order is stored exactly as `out`
 * (from allocate) holds it, so a read can land there with no decoding; else undefined.
 */
export function storedAsIs(dtype: TensorDType, littleEndian: boolean, out: NumericArray, at: number, count: number): Uint8Array | undefined {
  if (!isStoredAsIs(dtype, littleEndian)) return undefined;
  const size = ITEMSIZE[dtype];
  return new Uint8Array(out.buffer, out.byteOffset + at * size, count * size);
}

/** Whether `dtype` is a 2-byte float stored in the host's byte order: its bytes are already a Uint16Array of its bit patterns. */
export function isHostOrderedHalf(dtype: TensorDType, littleEndian: boolean): dtype is 'bfloat16' | 'float16' {
  return (dtype === 'bfloat16' || dtype === 'float16') && littleEndian === HOST_LITTLE_ENDIAN;
}

/** bfloat16 or float16 bit patterns in the host's byte order, widened into `out` exactly as decodeInto widens them from a file. */
export function widenHostHalves(dtype: 'bfloat16' | 'float16', halves: Uint16Array, out: Float32Array): void {
  decodeInto(dtype, new Uint8Array(halves.buffer, halves.byteOffset, halves.byteLength), HOST_LITTLE_ENDIAN, halves.length, out, 0);
}

/** Whether `dtype` in this byte order is stored exactly as allocate(dtype) holds it. */
export function isStoredAsIs(dtype: TensorDType, littleEndian: boolean): boolean {
  return AS_STORED.has(dtype) && (ITEMSIZE[dtype] === 1 || littleEndian === HOST_LITTLE_ENDIAN);
}

/** Decodes a whole byte array; see decodeInto. */
export function decode(dtype: TensorDType, bytes: Uint8Array, littleEndian: boolean): { readonly data: NumericArray; readonly beyondSafeInteger: number } {
  const count = Math.floor(bytes.length / ITEMSIZE[dtype]);
  const data = allocate(dtype, count);
  const beyondSafeInteger = decodeInto(dtype, bytes, littleEndian, count, data, 0);
  return { data, beyondSafeInteger };
}

/** The warning a reader adds for a tensor whose 64-bit integers do not all fit a double exactly. */
export function beyondSafeIntegerWarning(tensor: string, count: number, dtype: TensorDType): string {
  return `tensor ${quoteName(tensor)}: ${count} ${dtype} value${count === 1 ? '' : 's'} beyond 2^53 in magnitude ${count === 1 ? 'was' : 'were'} rounded to the nearest double`;
}

/** A product of dimensions, or undefined when it exceeds Number.MAX_SAFE_INTEGER (or any dimension is not a safe non-negative integer). */
export function safeProduct(dimensions: readonly number[], factor = 1): number | undefined {
  let product = factor;
  for (const size of dimensions) {
    if (!Number.isSafeInteger(size) || size < 0) return undefined;
    product *= size;
  }
  for (const size of dimensions) if (size === 0) return 0;
  // Checked once at the end: intermediate products of safe integers are finite doubles, and any
  // overflow of 2^53 survives to the end unless a later factor is 0 (handled above).
  return Number.isSafeInteger(product) ? product : undefined;
}
