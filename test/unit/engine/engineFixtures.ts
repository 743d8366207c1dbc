// Support for the engine tests (not a test file itself): reads test/fixtures/engine/.
import { readFileSync } from 'node:fs';
import type { RowMatrix } from '../../../src/engine/reduction';
import { fixturePath, readJson } from '../../helpers/fixtures';

export const engineFixture = (name: string): string => fixturePath('engine', name);

export const expected: any = readJson(engineFixture('expected.json'));

/** A numeric CSV as pandas wrote it (header row, no quoting): column name -> values. */
export function readNumericCsv(name: string): Map<string, Float64Array> {
  const lines = readFileSync(engineFixture(name), 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const columns = header.map(() => new Float64Array(lines.length - 1));
  for (let r = 1; r < lines.length; r++) {
    const cells = lines[r]!.split(',');
    cells.forEach((cell, c) => (columns[c]![r - 1] = Number(cell)));
  }
  return new Map(header.map((name, c) => [name, columns[c]!]));
}

/** Columns `prefix0 .. prefix{k-1}` as a row-major n x k matrix. */
export function matrix(table: Map<string, Float64Array>, prefix: string, k: number): RowMatrix & { values: Float64Array } {
  const cols = Array.from({ length: k }, (_, j) => table.get(`${prefix}${j}`)!);
  const n = cols[0]!.length;
  const values = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) values[i * k + j] = cols[j]![i]!;
  return { n, k, values };
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? Number.NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** A little-endian C-order .npy of <f2, <f4, <f8 or <i8, as numpy.save writes it. */
export function readNpy(name: string): { shape: number[]; values: Float64Array | Float32Array } {
  const bytes = readFileSync(engineFixture(name));
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  const descr = /'descr': '([^']+)'/.exec(header)![1]!;
  const shape = /'shape': \(([^)]*)\)/
    .exec(header)![1]!
    .split(',')
    .filter((s) => s.trim())
    .map(Number);
  const data = bytes.subarray(10 + headerLength);
  const count = shape.reduce((a, b) => a * b, 1);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (descr === '<f4') return { shape, values: Float32Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true)) };
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    if (descr === '<f2') values[i] = halfToFloat(view.getUint16(i * 2, true));
    else if (descr === '<f8') values[i] = view.getFloat64(i * 8, true);
    else if (descr === '<i8') values[i] = Number(view.getBigInt64(i * 8, true));
    else throw new Error(`unsupported dtype ${descr}`);
  }
  return { shape, values };
}

/** |a - b| / max(|b|, tiny): a true relative error (no absolute floor). */
export function relative(a: number, b: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE);
}

export function assertRelative(actual: number, wanted: number, tolerance: number, what: string): void {
  const error = relative(actual, wanted);
  if (!(error <= tolerance)) throw new Error(`${what}: got ${actual}, expected ${wanted} (relative error ${error} > ${tolerance})`);
}

export function assertAllRelative(actual: ArrayLike<number>, wanted: ArrayLike<number>, tolerance: number, what: string): void {
  if (actual.length !== wanted.length) throw new Error(`${what}: ${actual.length} values, expected ${wanted.length}`);
  for (let i = 0; i < wanted.length; i++) assertRelative(actual[i]!, wanted[i]!, tolerance, `${what}[${i}]`);
}

/** Splits 0..n into chunks of the given sizes, cycling through them (uneven chunkings). */
export function chunkBounds(n: number, sizes: readonly number[]): Array<[number, number]> {
  const bounds: Array<[number, number]> = [];
  let start = 0;
  for (let c = 0; start < n; c++) {
    const end = Math.min(n, start + sizes[c % sizes.length]!);
    bounds.push([start, end]);
    start = end;
  }
  return bounds;
}

export function sliceRows(m: RowMatrix, start: number, end: number): RowMatrix {
  const values = m.values as Float64Array;
  return { n: end - start, k: m.k, values: values.subarray(start * m.k, end * m.k) };
}
