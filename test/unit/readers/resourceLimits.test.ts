import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyzeSource } from '../../../src/analysis/sources/analyzeSource';
import { fileSource } from '../../../src/readers/byteSource';
import { DataFileError } from '../../../src/readers/errors';
import { DEFAULT_LIMITS } from '../../../src/readers/limits';
import { readSafetensors } from '../../../src/readers/safetensors';

/**
 * Files far larger than memory, or built to exhaust it, are refused or read with bounded memory.
 * The 10 GB files are sparse (a header, then a hole), so the test costs no disk; the 1 GB line is
 * written for real. Memory is sampled while the reader runs: reading any of these whole would
 * raise the resident size by gigabytes.
 */
const GB = 2 ** 30;
const MEMORY_BOUND = 400 * 2 ** 20;
let folder = '';

function writeFile(name: string, head: Uint8Array, size: number): string {
  const path = join(folder, name);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, head);
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
  return path;
}

function npyHeader(descr: string, shape: readonly number[]): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  const padded = dict.padEnd(Math.ceil((dict.length + 11) / 64) * 64 - 11) + '\n';
  const bytes = new Uint8Array(10 + padded.length);
  bytes.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, padded.length & 0xff, padded.length >> 8]);
  bytes.set(new TextEncoder().encode(padded), 10);
  return bytes;
}

function safetensorsHeader(header: object): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(8 + json.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  return bytes;
}

/** Runs `work` and returns what it threw, with the largest rise in resident memory seen meanwhile. */
async function refusalWithin<T>(work: () => Promise<T>): Promise<{ error: DataFileError; rise: number }> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    await work();
  } catch (error) {
    assert.ok(error instanceof DataFileError, String(error));
    assert.doesNotMatch(error.message, /\n/);
    return { error, rise: Math.max(peak, process.memoryUsage().rss) - baseline };
  } finally {
    clearInterval(sampler);
  }
  assert.fail('the file was read instead of refused');
}

describe('resource limits on files larger than memory', () => {
  before(() => (folder = mkdtempSync(join(tmpdir(), 'likelihood-lens-limits-'))));
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('a 10 GB .npy is refused by the tensor byte limit from its header, without reading the data', async () => {
    const header = npyHeader('<f8', [(10 * GB) / 80, 10]);
    const path = writeFile('ten.npy', header, header.length + 10 * GB);
    const { error, rise } = await refusalWithin(() => analyzeSource({ kind: 'path', path }));
    assert.equal(
      error.message,
      `ten.npy: byte ${header.length}: the data is ${10 * GB} bytes, over the limit of ${DEFAULT_LIMITS.maxTensorBytes} tensor bytes (setting likelihoodLens.limits.maxTensorMB)`,
    );
    assert.ok(rise < MEMORY_BOUND, `memory rose by ${rise} bytes`);
  });

  it('a 10 GB .safetensors is refused the same way', async () => {
    const header = safetensorsHeader({ logits: { dtype: 'F32', shape: [(10 * GB) / 40, 10], data_offsets: [0, 10 * GB] } });
    const path = writeFile('ten.safetensors', header, header.length + 10 * GB);
    const { error, rise } = await refusalWithin(() => analyzeSource({ kind: 'path', path }));
    assert.equal(
      error.message,
      `ten.safetensors: byte 8: the tensors total ${10 * GB} bytes, over the limit of ${DEFAULT_LIMITS.maxTensorBytes} (setting likelihoodLens.limits.maxTensorMB)`,
    );
    assert.ok(rise < MEMORY_BOUND, `memory rose by ${rise} bytes`);
  });

  it('a 10 GB CSV whose second row never ends is refused at the line cap, streaming', async () => {
    const path = writeFile('ten.csv', new TextEncoder().encode('label,p0,p1\n0,0.5,0.5\n'), 10 * GB);
    const { error, rise } = await refusalWithin(() => analyzeSource({ kind: 'path', path }));
    assert.equal(error.message, 'ten.csv: line 3: a line longer than 64 MB: not a CSV file of numbers');
    assert.ok(rise < MEMORY_BOUND, `memory rose by ${rise} bytes`);
  });

  it('a CSV of one 1 GB line without a newline is refused at the line cap, streaming', async () => {
    const path = join(folder, 'line.csv');
    const fd = openSync(path, 'w');
    const block = new TextEncoder().encode('0.25,'.repeat((16 * 2 ** 20) / 5));
    for (let written = 0; written < GB; written += block.length) writeSync(fd, block);
    closeSync(fd);
    const { error, rise } = await refusalWithin(() => analyzeSource({ kind: 'path', path }));
    assert.equal(error.message, 'line.csv: line 1: a line longer than 64 MB: not a CSV file of numbers');
    assert.ok(rise < MEMORY_BOUND, `memory rose by ${rise} bytes`);
  });

  it('a safetensors header of a million tiny tensors is refused by the tensor count, and read when the limit is raised', async () => {
    const tensors = 1_000_000;
    const header: Record<string, object> = {};
    for (let i = 0; i < tensors; i++) header[`t${i}`] = { dtype: 'U8', shape: [1], data_offsets: [i, i + 1] };
    const head = safetensorsHeader(header);
    const path = writeFile('many.safetensors', head, head.length + tensors);
    const { error } = await refusalWithin(() => analyzeSource({ kind: 'path', path }));
    assert.equal(
      error.message,
      `many.safetensors: byte 8: the header lists ${tensors} entries, over the limit of ${DEFAULT_LIMITS.maxTensors} tensors (setting likelihoodLens.limits.maxTensors)`,
    );
    const source = await fileSource(path, 'many.safetensors');
    try {
      const file = await readSafetensors(source, { ...DEFAULT_LIMITS, maxTensors: 2_000_000 });
      assert.equal(file.tensors.length, tensors);
      assert.deepEqual(file.tensors.at(-1)?.shape, [1]);
    } finally {
      await source.close();
    }
  });
});
