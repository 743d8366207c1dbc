import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { fileSource, memorySource, type ByteSource } from '../../../src/readers/byteSource';
import { DataFileError } from '../../../src/readers/errors';
import { DEFAULT_LIMITS } from '../../../src/readers/limits';
import type { TensorFile } from '../../../src/readers/tensor';
import { LEGACY_FORMAT_MESSAGE, readTorch } from '../../../src/readers/torch';
import { fixturePath, readJson } from '../../helpers/fixtures';
import { corruptionsRefused } from '../../helpers/tensorFixtures';

interface ExpectedTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: number[];
  readonly values: (number | string)[];
}
interface Expected {
  readonly files: { readonly file: string; readonly tensors: ExpectedTensor[] }[];
  readonly legacy: string[];
  readonly malicious: { readonly file: string; readonly expect: string; readonly marker: string }[];
}

const torchFixture = (name: string) => fixturePath('torch', name);
const expected = readJson<Expected>(torchFixture('expected.json'));

async function readPath(name: string, limits = DEFAULT_LIMITS): Promise<TensorFile> {
  const source = await fileSource(torchFixture(name), basename(name));
  try {
    return await readTorch(source, limits);
  } finally {
    await source.close();
  }
}

/** JSON spells NaN and infinities as strings, and int64 beyond 2^53 as decimal strings. */
function expectedValue(value: number | string): number {
  if (typeof value === 'number') return value;
  if (value === 'nan') return Number.NaN;
  if (value === 'inf') return Infinity;
  if (value === '-inf') return -Infinity;
  return Number(BigInt(value));
}

async function refusal(read: Promise<unknown>): Promise<DataFileError> {
  let caught: unknown;
  try {
    await read;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof DataFileError, `expected a DataFileError, got ${caught instanceof Error ? caught.stack : String(caught)}`);
  assert.equal(caught.message.includes('\n'), false);
  return caught;
}

/** A ByteSource that records every read, to prove storages are read once and by range. */
function countingSource(bytes: Uint8Array, name: string): ByteSource & { reads: [number, number][] } {
  const inner = memorySource(name, bytes);
  const reads: [number, number][] = [];
  return { ...inner, reads, read: (offset, length) => (reads.push([offset, length]), inner.read(offset, length)) };
}

describe('torch .pt reader', () => {
  for (const { file, tensors } of expected.files) {
    it(`reads ${file} exactly as PyTorch wrote it`, async () => {
      const result = await readPath(file);
      assert.equal(result.format, 'pt');
      assert.deepEqual(
        result.tensors.map((t) => t.name),
        tensors.map((t) => t.name),
      );
      tensors.forEach((want, i) => {
        const got = result.tensors[i]!;
        assert.equal(got.dtype, want.dtype, want.name);
        assert.deepEqual(got.shape, want.shape, want.name);
        assert.equal(got.data.length, want.values.length, want.name);
        want.values.forEach((value, j) => {
          // Object.is: NaN equals NaN and -0 differs from 0, so every bit that matters is checked.
          const wanted = expectedValue(value);
          if (!Object.is(got.data[j], wanted)) assert.fail(`${file} '${want.name}'[${j}]: got ${got.data[j]}, expected ${wanted}`);
        });
      });
    });
  }

  it('names nested containers with dots and skips non-tensor leaves', async () => {
    const result = await readPath('containers.pt');
    assert.deepEqual(
      result.tensors.map((t) => t.name),
      ['outputs.0', 'outputs.1', 'pair.0', 'pair.1', 'nested.a.b', 'nested.c.0.d', 'param'],
    );
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(
      (await readPath('state_dict.pt')).tensors.map((t) => t.name),
      ['fc.weight', 'fc.bias', 'out.weight', 'out.bias'],
    );
    assert.deepEqual(
      (await readPath('lone.pt')).tensors.map((t) => t.name),
      ['lone'],
    );
    assert.deepEqual((await readPath('scalar.pt')).tensors[0]!.shape, []);
  });

  it('reads a storage shared by several views once, by byte range, and shares its array with contiguous views', async () => {
    const bytes = new Uint8Array(readFileSync(torchFixture('views.pt')));
    const source = countingSource(bytes, 'views.pt');
    const result = await readTorch(source);
    const storageBytes = 24 * 4;
    assert.equal(source.reads.filter(([, length]) => length === storageBytes).length, 1);
    assert.ok(
      source.reads.every(([, length]) => length < bytes.length),
      'the file is never read whole',
    );
    const byName = new Map(result.tensors.map((t) => [t.name, t]));
    assert.equal(byName.get('tail')!.data.buffer, byName.get('base')!.data.buffer);
    assert.notEqual(byName.get('transposed')!.data.buffer, byName.get('base')!.data.buffer);
    assert.deepEqual(Array.from(byName.get('stepped')!.data.slice(0, 3)), [-3, -2, -1]);

    const shared = await readPath('shared.pt');
    assert.equal(shared.tensors[0]!.data.buffer, shared.tensors[1]!.data.buffer);
    assert.deepEqual(Array.from(shared.tensors[1]!.data), [0.75, 1, 1.25, 1.5]);
  });

  it('honours the byteorder record, big and little', async () => {
    const big = await readPath('big_endian.pt');
    assert.deepEqual(Array.from(big.tensors[1]!.data), [1, -2, 2 ** 40]);
    assert.deepEqual(Array.from(big.tensors[2]!.data), [0.5, -3]);
  });

  it('warns about int64 values beyond 2^53 instead of failing', async () => {
    const result = await readPath('dtypes.pt');
    assert.deepEqual(result.warnings, ["tensor 'long': int64 values of magnitude 2^53 or more may be rounded (read as float64)"]);
  });

  it('reads the same from memory as from disk', async () => {
    const bytes = new Uint8Array(readFileSync(torchFixture('containers.pt')));
    const fromMemory = await readTorch(memorySource('containers.pt', bytes));
    const fromDisk = await readPath('containers.pt');
    assert.deepEqual(fromMemory, fromDisk);
  });

  it('refuses the legacy (pre-1.6) format with how to re-save it', async () => {
    for (const file of expected.legacy) {
      const error = await refusal(readPath(file));
      assert.equal(error.message, `${file}: byte 0: ${LEGACY_FORMAT_MESSAGE}`);
    }
    // A bare pickle is the legacy layout too; a file that is neither is named as such.
    await refusal(readTorch(memorySource('p.pt', Uint8Array.from([0x80, 0x02, 0x4e, 0x2e]))));
    const other = await refusal(readTorch(memorySource('x.pt', new TextEncoder().encode('hello world'))));
    assert.match(other.message, /^x\.pt: byte 0: not a torch\.save file/);
  });

  it('refuses every file of the hostile corpus by name, and runs nothing', async () => {
    for (const { marker } of expected.malicious) rmSync(marker, { force: true });
    assert.ok(expected.malicious.length >= 30);
    for (const { file, expect } of expected.malicious) {
      const error = await refusal(readPath(file));
      assert.ok(error.message.startsWith(`${basename(file)}: `), error.message);
      assert.ok(error.message.includes(expect), `${file}: '${error.message}' does not mention '${expect}'`);
    }
    for (const { marker } of expected.malicious) assert.equal(existsSync(marker), false, `${marker} exists: something ran`);
  });

  it('refuses hostile globals at the byte of the pickle where they appear', async () => {
    const error = await refusal(readPath('malicious/global_os_system.pt'));
    assert.equal(
      error.message,
      "global_os_system.pt: global_os_system/data.pkl byte 2: refusing to load global 'os.system' (only tensors, dicts, lists and tuples can be read)",
    );
  });

  it('refuses a file truncated at any length with a DataFileError, never another error or a hang', async () => {
    for (const name of ['dict_tensors.pt', 'views.pt', 'deflated.pt', 'protocol5.pt']) {
      const bytes = new Uint8Array(readFileSync(torchFixture(name)));
      for (let length = 0; length < bytes.length; length++) {
        await refusal(readTorch(memorySource(name, bytes.slice(0, length))));
      }
    }
  });

  it('reads corrupted files or refuses them with a DataFileError', async () => {
    const files = ['containers.pt', 'deflated.pt', 'protocol4.pt'].map((name) => ({ name, bytes: new Uint8Array(readFileSync(torchFixture(name))) }));
    const refused = await corruptionsRefused((source) => readTorch(source), files, { seed: 99, rounds: 400, maxFlips: 1 });
    assert.ok(refused > 100, `only ${refused} corruptions were refused`);
  });

  it('enforces the tensor-count, tensor-size, depth and pickle-size limits', async () => {
    assert.match((await refusal(readPath('dict_tensors.pt', { ...DEFAULT_LIMITS, maxTensors: 1 }))).message, /more than 1 tensors/);
    assert.match(
      (await refusal(readPath('dict_tensors.pt', { ...DEFAULT_LIMITS, maxTensorBytes: 100 }))).message,
      /tensor 'logits': the tensors exceed the 100-byte limit/,
    );
    assert.match((await refusal(readPath('containers.pt', { ...DEFAULT_LIMITS, maxPickleDepth: 2 }))).message, /nest more than 2 deep/);
    // The zip directory (570 bytes) fits in 700, the pickle (906 bytes) does not; under 100 the directory is refused first.
    assert.match(
      (await refusal(readPath('containers.pt', { ...DEFAULT_LIMITS, maxHeaderBytes: 700 }))).message,
      /the pickle is 906 bytes, over the 700-byte limit/,
    );
    assert.match(
      (await refusal(readPath('containers.pt', { ...DEFAULT_LIMITS, maxHeaderBytes: 100 }))).message,
      /the zip directory is 570 bytes, over the limit of 100/,
    );
  });
});
