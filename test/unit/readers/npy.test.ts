import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileSource, memorySource } from '../../../src/readers/byteSource';
import { allocate, decodeInto, float16Table, ITEMSIZE, numpyType } from '../../../src/readers/dtypes';
import { DEFAULT_LIMITS } from '../../../src/readers/limits';
import { readNpy } from '../../../src/readers/npy';
import type { TensorDType } from '../../../src/readers/tensor';
import { fixturePath } from '../../helpers/fixtures';
import { assertTensors, bytesOf, corruptionsRefused, expected, fixtureReader, refusalChecker } from '../../helpers/tensorFixtures';

const PLACE = /^(byte \d+|tensor '[^']*'|member '[^']*'(, byte \d+( of its inflated content)?)?)$/;
const assertRefused = refusalChecker(PLACE);
const readFixture = fixtureReader(readNpy);

describe('npy reader', () => {
  const npyFiles = expected.files.filter((f) => f.format === 'npy');

  it('has fixtures for every dtype and layout it claims', () => {
    const dtypes = new Set(npyFiles.flatMap((f) => f.tensors.map((t) => t.dtype)));
    for (const dtype of ['bool', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float16', 'float32', 'float64'])
      assert.ok(dtypes.has(dtype), dtype);
    for (const file of [
      'fortran.npy',
      'scalar.npy',
      'cube.npy',
      'empty.npy',
      'version2.npy',
      'version3.npy',
      'structured.npy',
      'big_endian_f8.npy',
      'big_endian_i4.npy',
    ]) {
      assert.ok(
        npyFiles.some((f) => f.file === file),
        file,
      );
    }
  });

  for (const want of npyFiles) {
    it(`reads ${want.file} exactly as NumPy does`, async () => {
      const file = await readFixture(want.file);
      assert.equal(file.format, 'npy');
      assertTensors(file, want);
    });
  }

  it('names a lone array after its file, or as asked', async () => {
    const bytes = bytesOf('float32.npy');
    assert.equal((await readNpy(memorySource('dir/logits.npy', bytes))).tensors[0]!.name, 'logits');
    assert.equal((await readNpy(memorySource('logits.npy', bytes), DEFAULT_LIMITS, 'scores')).tensors[0]!.name, 'scores');
  });

  it('widens into the documented arrays', async () => {
    const kinds: [string, string][] = [
      ['float16.npy', 'Float32Array'],
      ['int64.npy', 'Float64Array'],
      ['uint64.npy', 'Float64Array'],
      ['bool.npy', 'Uint8Array'],
      ['int8.npy', 'Int8Array'],
      ['uint32.npy', 'Uint32Array'],
      ['float64.npy', 'Float64Array'],
    ];
    for (const [name, kind] of kinds) assert.equal((await readFixture(name)).tensors[0]!.data.constructor.name, kind, name);
  });

  it('reads through fileSource and memorySource alike', async () => {
    const viaFile = await readFixture('cube.npy');
    const viaMemory = await readNpy(memorySource('cube.npy', bytesOf('cube.npy')));
    assert.deepEqual(viaFile, viaMemory);
    assert.equal(viaFile.tensors[0]!.data.length, 24);
  });

  it('turns a structured array into one tensor per field', async () => {
    const file = await readFixture('structured.npy');
    assert.deepEqual(
      file.tensors.map((t) => [t.name, t.dtype, t.shape]),
      [
        ['structured.x', 'float32', [3]],
        ['structured.y', 'int16', [3]],
        ['structured.flag', 'bool', [3]],
        ['structured.vec', 'float64', [3, 2]],
      ],
    );
    assert.deepEqual([...file.tensors[3]!.data], [1, 2, 3, 4, 5, 6]);
  });

  const brokenNpy = expected.broken.filter((b) => b.file.endsWith('.npy'));
  it('has a broken corpus', () => assert.ok(brokenNpy.length >= 20));
  for (const bad of brokenNpy) {
    it(`refuses broken/${bad.file}`, { timeout: 10_000 }, async () => {
      const source = await fileSource(fixturePath('tensors', 'broken', bad.file), bad.file);
      try {
        await assertRefused(() => readNpy(source), bad.file, bad.expect);
      } finally {
        await source.close();
      }
    });
  }

  it('refuses every truncation of valid files with a DataFileError', { timeout: 60_000 }, async () => {
    for (const name of ['float16.npy', 'structured.npy', 'version3.npy', 'fortran.npy', 'structured_utf8.npy', 'python2_long.npy']) {
      const bytes = bytesOf(name);
      for (let length = 0; length < bytes.length; length++) {
        await assertRefused(() => readNpy(memorySource(name, bytes.subarray(0, length))), name);
      }
    }
  });

  it('either reads or refuses cleanly when bytes are corrupted', { timeout: 60_000 }, async () => {
    const files = ['float32.npy', 'structured.npy', 'version2.npy'].map((name) => ({ name, bytes: bytesOf(name) }));
    // Most flips land in the header, where the parser is.
    const refused = await corruptionsRefused((source) => readNpy(source), files, { seed: 12345, rounds: 400, maxFlips: 4, span: () => 140, place: PLACE });
    assert.ok(refused > 100, `only ${refused} corruptions were refused`);
  });

  it('says so when given an .npz', async () => {
    await assertRefused(() => readNpy(memorySource('savez.npz', bytesOf('savez.npz'))), 'savez.npz', 'this is a zip archive (an .npz?), not a .npy file');
  });

  it('keeps messages on one line whatever the field names hold', async () => {
    const header = "{'descr': [('a\\nb', '<c8')], 'fortran_order': False, 'shape': (1,), }";
    const text = header + ' '.repeat(117 - header.length) + '\n';
    const bytes = new Uint8Array(128 + 8);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length, 0]);
    bytes.set(new TextEncoder().encode(text), 10);
    await assertRefused(() => readNpy(memorySource('field.npy', bytes)), 'field.npy', "field 'a\\nb': complex dtype '<c8' is not supported");
  });

  it('enforces the header and tensor byte limits', async () => {
    await assertRefused(
      () => readFixture('float32.npy', { ...DEFAULT_LIMITS, maxHeaderBytes: 64 }),
      'float32.npy',
      'over the limit of 64 bytes (setting likelihoodLens.limits.maxHeaderMB)',
    );
    await assertRefused(
      () => readFixture('float32.npy', { ...DEFAULT_LIMITS, maxTensorBytes: 16 }),
      'float32.npy',
      'over the limit of 16 tensor bytes (setting likelihoodLens.limits.maxTensorMB)',
    );
    assert.equal((await readFixture('float32.npy', { ...DEFAULT_LIMITS, maxTensorBytes: 24 })).tensors[0]!.data.length, 6);
  });

  it('reports where in the header a refused dtype is', async () => {
    const error = await assertRefused(async () => {
      const source = await fileSource(fixturePath('tensors', 'broken', 'object.npy'), 'object.npy');
      try {
        return await readNpy(source);
      } finally {
        await source.close();
      }
    }, 'object.npy');
    // The descr value starts right after "{'descr': " at byte 10.
    assert.equal(error.place, 'byte 20');
    assert.equal(error.reason, 'object arrays are pickles; refusing to read them');
  });
});

describe('dtype decoders', () => {
  it('decodes known float16 bit patterns', () => {
    const table = float16Table();
    assert.equal(table[0x3c00], 1);
    assert.equal(table[0xc000], -2);
    assert.equal(table[0x7bff], 65504);
    assert.equal(table[0x0001], 2 ** -24);
    assert.equal(table[0x0400], 2 ** -14);
    assert.equal(table[0x3555], 0.333251953125);
    assert.equal(table[0x7c00], Infinity);
    assert.equal(table[0xfc00], -Infinity);
    assert.ok(Number.isNaN(table[0x7e00]!));
    assert.ok(Object.is(table[0x8000], -0));
    assert.equal(float16Table(), table, 'built once');
  });

  it('gives the same values at any alignment and in either byte order', () => {
    const dtypes: TensorDType[] = [
      'bool',
      'int8',
      'uint8',
      'int16',
      'uint16',
      'int32',
      'uint32',
      'int64',
      'uint64',
      'float16',
      'bfloat16',
      'float32',
      'float64',
      'float8_e4m3fn',
      'float8_e5m2',
    ];
    for (const dtype of dtypes) {
      const size = ITEMSIZE[dtype];
      const count = 37;
      const little = new Uint8Array(count * size);
      for (let i = 0; i < little.length; i++) little[i] = (i * 151 + 7) & 0xff;
      const big = new Uint8Array(little.length);
      for (let e = 0; e < count; e++) for (let b = 0; b < size; b++) big[e * size + b] = little[e * size + size - 1 - b]!;
      const reference = allocate(dtype, count);
      decodeInto(dtype, little, true, count, reference, 0);
      for (const shift of [0, 1, 3]) {
        for (const [bytes, littleEndian] of [
          [little, true],
          [big, false],
        ] as const) {
          const padded = new Uint8Array(bytes.length + shift);
          padded.set(bytes, shift);
          const out = allocate(dtype, count + 2);
          decodeInto(dtype, padded.subarray(shift), littleEndian, count, out, 2);
          for (let i = 0; i < count; i++)
            assert.ok(Object.is(out[i + 2], reference[i]), `${dtype} shift ${shift} ${littleEndian ? 'LE' : 'BE'} [${i}]: ${out[i + 2]} vs ${reference[i]}`);
        }
      }
      // And the little-endian reading is the one DataView gives, where DataView has a getter.
      const view = new DataView(little.buffer);
      const getter: Partial<Record<TensorDType, (at: number) => number>> = {
        int16: (at) => view.getInt16(at, true),
        uint16: (at) => view.getUint16(at, true),
        int32: (at) => view.getInt32(at, true),
        uint32: (at) => view.getUint32(at, true),
        float32: (at) => view.getFloat32(at, true),
        float64: (at) => view.getFloat64(at, true),
        int64: (at) => Number(view.getBigInt64(at, true)),
        uint64: (at) => Number(view.getBigUint64(at, true)),
        bfloat16: (at) => new Float32Array(new Uint32Array([view.getUint16(at, true) << 16]).buffer)[0]!,
      };
      const get = getter[dtype];
      if (get) for (let i = 0; i < count; i++) assert.ok(Object.is(reference[i], get(i * size)), `${dtype}[${i}]`);
    }
  });

  it('counts 64-bit integers beyond 2^53', () => {
    const values = [2n ** 53n, -(2n ** 53n), 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, 0n];
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, v, true));
    const out = allocate('int64', values.length);
    assert.equal(decodeInto('int64', bytes, true, values.length, out, 0), 3);
    values.forEach((v, i) => assert.equal(out[i], Number(v)));
  });

  it('names NumPy type strings', () => {
    assert.deepEqual(numpyType('<f2'), { dtype: 'float16', littleEndian: true });
    assert.deepEqual(numpyType('>i8'), { dtype: 'int64', littleEndian: false });
    assert.deepEqual(numpyType('|b1'), { dtype: 'bool', littleEndian: true });
    assert.equal(numpyType('|O'), 'object arrays are pickles; refusing to read them');
    assert.match(numpyType('<f16') as string, /not supported/);
  });
});
