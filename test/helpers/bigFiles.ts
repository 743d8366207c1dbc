import { readFileSync } from 'node:fs';

// Files big enough for the scoring threads (over 8 MB, over a million values), made of a
// fixture's rows repeated, so their cross-entropy is still the one PyTorch computed for it.

/** The .npy file with its rows repeated `times` times (C order, so the data bytes repeat). */
export function repeatNpy(path: string, times: number): Uint8Array {
  const bytes = readFileSync(path);
  const start = npyDataStart(bytes);
  const header = bytes.subarray(10, start).toString('latin1');
  const rows = Number(/'shape': \((\d+),/.exec(header)![1]);
  let newHeader = header.replace(/'shape': \(\d+,/, `'shape': (${rows * times},`).trimEnd();
  newHeader += ' '.repeat(63 - ((10 + newHeader.length) % 64)) + '\n';
  const data = bytes.subarray(start);
  const out = new Uint8Array(10 + newHeader.length + data.length * times);
  out.set(bytes.subarray(0, 8));
  new DataView(out.buffer).setUint16(8, newHeader.length, true);
  out.set(Buffer.from(newHeader, 'latin1'), 10);
  for (let t = 0; t < times; t++) out.set(data, 10 + newHeader.length + t * data.length);
  return out;
}

export function npyDataStart(bytes: Uint8Array): number {
  return 10 + new DataView(bytes.buffer, bytes.byteOffset).getUint16(8, true);
}

/** A C-order .npy of `data` (its bytes as they are in memory: little-endian here) with this dtype and shape. */
export function npyFile(descr: string, shape: readonly number[], data: ArrayBufferView): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
