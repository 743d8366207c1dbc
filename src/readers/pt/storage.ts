/**
 * Decoding a storage's raw bytes into the JavaScript array Tensor.data uses, in either byte
 * order (torch writes the host's order and records it in `<prefix>/byteorder`).
 */
import type { NumericArray, TensorDType } from '../tensor';

export const ELEMENT_BYTES: Readonly<Record<TensorDType, number>> = {
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

export interface DecodedStorage {
  readonly data: NumericArray;
  /** int64/uint64 values whose magnitude is beyond 2^53 (rounded in a Float64Array). */
  readonly inexact: boolean;
}

let halfTable: Float32Array | undefined;

/** All 65,536 float16 values, built once: a lookup beats bit manipulation per element. */
function float16Table(): Float32Array {
  if (halfTable) return halfTable;
  halfTable = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const fraction = bits & 0x3ff;
    halfTable[bits] =
      exponent === 0 ? sign * fraction * 2 ** -24 : exponent === 31 ? (fraction ? Number.NaN : sign * Infinity) : sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  return halfTable;
}

/** float8 e4m3fn (no infinities; S.1111.111 is NaN) and e5m2 (IEEE-like), as 256-entry tables. */
function float8Table(dtype: 'float8_e4m3fn' | 'float8_e5m2'): Float32Array {
  const table = new Float32Array(256);
  const [exponentBits, bias] = dtype === 'float8_e4m3fn' ? [4, 7] : [5, 15];
  const fractionBits = 7 - exponentBits;
  for (let bits = 0; bits < 256; bits++) {
    const sign = bits & 0x80 ? -1 : 1;
    const exponent = (bits >> fractionBits) & ((1 << exponentBits) - 1);
    const fraction = bits & ((1 << fractionBits) - 1);
    const top = (1 << exponentBits) - 1;
    let value: number;
    if (dtype === 'float8_e4m3fn' && exponent === top && fraction === (1 << fractionBits) - 1) value = Number.NaN;
    else if (dtype === 'float8_e5m2' && exponent === top) value = fraction ? Number.NaN : sign * Infinity;
    else if (exponent === 0) value = sign * fraction * 2 ** (1 - bias - fractionBits);
    else value = sign * (1 + fraction / (1 << fractionBits)) * 2 ** (exponent - bias);
    table[bits] = value;
  }
  return table;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Typed arrays whose bytes are already in host order: one copy into an aligned buffer. */
const SAME_LAYOUT: Partial<Record<TensorDType, new (buffer: ArrayBuffer) => NumericArray>> = {
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
};

export function decodeStorage(bytes: Uint8Array, dtype: TensorDType, littleEndian: boolean): DecodedStorage {
  const n = Math.floor(bytes.length / ELEMENT_BYTES[dtype]);
  const same = SAME_LAYOUT[dtype];
  if (same && littleEndian === HOST_LITTLE_ENDIAN) return { data: new same(bytes.slice(0, n * ELEMENT_BYTES[dtype]).buffer), inexact: false };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let inexact = false;
  let data: NumericArray;
  switch (dtype) {
    case 'bool': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = bytes[i] ? 1 : 0;
      data = out;
      break;
    }
    case 'uint8':
      data = bytes.slice(0, n);
      break;
    case 'int8':
      data = new Int8Array(bytes.slice(0, n).buffer);
      break;
    case 'int16': {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, littleEndian);
      data = out;
      break;
    }
    case 'uint16': {
      const out = new Uint16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getUint16(2 * i, littleEndian);
      data = out;
      break;
    }
    case 'int32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, littleEndian);
      data = out;
      break;
    }
    case 'uint32': {
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getUint32(4 * i, littleEndian);
      data = out;
      break;
    }
    case 'int64':
    case 'uint64': {
      const out = new Float64Array(n);
      const signed = dtype === 'int64';
      const [lowAt, highAt] = littleEndian ? [0, 4] : [4, 0];
      for (let i = 0; i < n; i++) {
        const low = view.getUint32(8 * i + lowAt, littleEndian);
        const high = signed ? view.getInt32(8 * i + highAt, littleEndian) : view.getUint32(8 * i + highAt, littleEndian);
        // One rounding: high * 2^32 is exact, the sum rounds to nearest like Number(BigInt).
        out[i] = high * 4294967296 + low;
        if (high > 0x200000 || (high === 0x200000 && low > 0) || high < -0x200000) inexact = true;
      }
      data = out;
      break;
    }
    case 'float16': {
      const table = float16Table();
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = table[view.getUint16(2 * i, littleEndian)]!;
      data = out;
      break;
    }
    case 'bfloat16': {
      // bfloat16 is the high half of a float32.
      const out = new Float32Array(n);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(2 * i, littleEndian) << 16;
      data = out;
      break;
    }
    case 'float32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, littleEndian);
      data = out;
      break;
    }
    case 'float64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, littleEndian);
      data = out;
      break;
    }
    case 'float8_e4m3fn':
    case 'float8_e5m2': {
      const table = float8Table(dtype);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = table[bytes[i]!]!;
      data = out;
      break;
    }
  }
  return { data, inexact };
}
