import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileSource, memorySource, readAhead, type ByteSource } from '../../../src/readers/byteSource';
import { DEFAULT_LIMITS } from '../../../src/readers/limits';
import { jsonErrorIndex, readSafetensors } from '../../../src/readers/safetensors';
import { fixturePath } from '../../helpers/fixtures';
import { assertTensors, bytesOf, corruptionsRefused, expected, fixtureReader, refusalChecker } from '../../helpers/tensorFixtures';

const PLACE = /^(byte \d+|tensor '[^']*')$/;
const assertRefused = refusalChecker(PLACE);
const readFixture = fixtureReader(readSafetensors);

/** A safetensors file from a header object and a data section. */
function safetensors(header: unknown, data: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

describe('safetensors reader', () => {
  const files = expected.files.filter((f) => f.format === 'safetensors');
  it('has fixtures for every dtype', () => {
    const dtypes = new Set(files.flatMap((f) => f.tensors.map((t) => t.dtype)));
    for (const dtype of [
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
    ]) {
      assert.ok(dtypes.has(dtype), dtype);
    }
  });

  for (const want of files) {
    it(`reads ${want.file} exactly`, async () => {
      const file = await readFixture(want.file);
      assert.equal(file.format, 'safetensors');
      assertTensors(file, want);
      assert.deepEqual(file.metadata, want.metadata);
    });
  }

  it('returns __metadata__ with a "__proto__" key as a plain key', async () => {
    const file = await readFixture('model.safetensors');
    assert.equal(Object.getPrototypeOf(file.metadata), Object.prototype);
    assert.ok(Object.hasOwn(file.metadata, '__proto__'));
    assert.equal(file.metadata.format, 'pt');
  });

  it('keeps tensors in data-offset order, not JSON key order', async () => {
    const file = await readFixture('ordered.safetensors');
    // JSON.parse would give "1", "2", "10", "b".
    assert.deepEqual(
      file.tensors.map((t) => t.name),
      ['10', '2', 'b', '1'],
    );
  });

  it('decodes float8 e4m3fn and e5m2 by the spec', async () => {
    const file = await readFixture('float8.safetensors');
    const e4m3 = file.tensors.find((t) => t.name === 'f8_e4m3')!;
    assert.equal(e4m3.dtype, 'float8_e4m3fn');
    assert.equal(Math.max(...[...e4m3.data].filter((v) => !Number.isNaN(v))), 448);
    const e5m2 = file.tensors.find((t) => t.name === 'f8_e5m2')!;
    assert.ok([...e5m2.data].includes(Infinity));
  });

  it('reports gaps in the data section as warnings', async () => {
    const file = await readFixture('gap.safetensors');
    assert.equal(file.warnings.length, 2);
    assert.match(file.warnings[0]!, /^8 unused bytes in the data section before tensor 'b' \(byte \d+\)$/);
  });

  it('reads through fileSource and memorySource alike, by range', async () => {
    const viaFile = await readFixture('model.safetensors');
    const bytes = bytesOf('model.safetensors');
    let largest = 0;
    const inner = memorySource('model.safetensors', bytes);
    const counting: ByteSource = { ...inner, read: (offset, length) => ((largest = Math.max(largest, length)), inner.read(offset, length)) };
    assert.deepEqual(await readSafetensors(counting), viaFile);
    // The largest single read is the JSON header; tensors are read each on their own.
    const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    assert.equal(largest, headerLength);
  });

  const brokenFiles = expected.broken.filter((b) => b.file.endsWith('.safetensors'));
  it('has a broken corpus', () => assert.ok(brokenFiles.length >= 12));
  for (const bad of brokenFiles) {
    it(`refuses broken/${bad.file}`, { timeout: 10_000 }, async () => {
      const source = await fileSource(fixturePath('tensors', 'broken', bad.file), bad.file);
      try {
        await assertRefused(() => readSafetensors(source), bad.file, bad.expect);
      } finally {
        await source.close();
      }
    });
  }

  it('points at the byte where the header stops being JSON', async () => {
    const bytes = bytesOf('broken', 'not_json.safetensors');
    const error = await assertRefused(
      () => readSafetensors(memorySource('not_json.safetensors', bytes)),
      'not_json.safetensors',
      'the header is not valid JSON',
    );
    const text = new TextDecoder().decode(bytes.subarray(8));
    assert.equal(error.place, `byte ${8 + text.indexOf(',,') + 1}`);
  });

  it('names the tensor at fault', async () => {
    const error = await assertRefused(
      () => readSafetensors(memorySource('overlap.safetensors', bytesOf('broken', 'overlap.safetensors'))),
      'overlap.safetensors',
      "overlap tensor 'a'",
    );
    assert.equal(error.place, "tensor 'b'");
  });

  it('refuses every truncation of a valid file with a DataFileError', { timeout: 60_000 }, async () => {
    for (const name of ['model.safetensors', 'float8.safetensors']) {
      const bytes = bytesOf(name);
      for (let length = 0; length < bytes.length; length++) await assertRefused(() => readSafetensors(memorySource(name, bytes.subarray(0, length))), name);
    }
  });

  it('either reads or refuses cleanly when bytes are corrupted', { timeout: 60_000 }, async () => {
    const headerEnd = (bytes: Uint8Array) => 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const refused = await corruptionsRefused((source) => readSafetensors(source), [{ name: 'model.safetensors', bytes: bytesOf('model.safetensors') }], {
      seed: 24680,
      rounds: 1500,
      maxFlips: 3,
      span: headerEnd,
      place: PLACE,
    });
    assert.ok(refused > 500, `only ${refused} corruptions were refused`);
  });

  it('enforces the header, tensor count and tensor byte limits', async () => {
    await assertRefused(() => readFixture('model.safetensors', { ...DEFAULT_LIMITS, maxHeaderBytes: 100 }), 'model.safetensors', 'over the limit of 100');
    await assertRefused(() => readFixture('model.safetensors', { ...DEFAULT_LIMITS, maxTensorBytes: 100 }), 'model.safetensors', 'over the limit of 100');
    await assertRefused(() => readFixture('model.safetensors', { ...DEFAULT_LIMITS, maxTensors: 3 }), 'model.safetensors', 'over the limit of 3');
  });

  it('allows empty tensors at the same offset but not one inside another', async () => {
    const data = new Uint8Array(8);
    const ok = safetensors(
      {
        e1: { dtype: 'F32', shape: [0], data_offsets: [0, 0] },
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        e2: { dtype: 'F32', shape: [0, 4], data_offsets: [8, 8] },
      },
      data,
    );
    const file = await readSafetensors(memorySource('ok.safetensors', ok));
    assert.deepEqual(
      file.tensors.map((t) => t.name),
      ['e1', 'a', 'e2'],
    );
    assert.deepEqual(file.warnings, []);
    const inside = safetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, e: { dtype: 'F32', shape: [0], data_offsets: [4, 4] } }, data);
    await assertRefused(() => readSafetensors(memorySource('inside.safetensors', inside)), 'inside.safetensors', 'overlap');
  });

  it('keeps messages on one line whatever the names hold', async () => {
    const bad = safetensors({ 'evil\nname\u2028': { dtype: 'F99', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4));
    const error = await assertRefused(() => readSafetensors(memorySource('names.safetensors', bad)), 'names.safetensors', "dtype 'F99' is not supported");
    assert.equal(error.place, "tensor 'evil\\nname\\u2028'");
  });

  it('turns a failing read into a DataFileError at the tensor being read', async () => {
    const bytes = bytesOf('model.safetensors');
    const inner = memorySource('model.safetensors', bytes);
    const failing: ByteSource = {
      ...inner,
      read: (offset, length) =>
        offset > 1000
          ? Promise.reject(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', errno: -5, syscall: 'read' }))
          : inner.read(offset, length),
    };
    const error = await assertRefused(() => readSafetensors(failing), 'model.safetensors', 'EIO: i/o error, read');
    assert.match(error.place, /^tensor '/);
  });

  it('finds where JSON syntax fails', () => {
    const cases: [string, number][] = [
      ['{"a": }', 6],
      ['{"a": 1} x', 9],
      ['{"a": 1', 7],
      ['{"a" 1}', 5],
      ['[1, 2,, 3]', 6],
      ['{"a": "b\u0001"}', 8],
      ['{"a": tru}', 6],
      ['{"a": [1, 2}', 11],
      ['', 0],
    ];
    for (const [text, index] of cases) {
      assert.throws(() => JSON.parse(text));
      assert.equal(jsonErrorIndex(text), index, JSON.stringify(text));
    }
    const valid = '{"a": [1, {"b": null}], "c": "\\u00e9", "d": -1.5e3}';
    assert.equal(jsonErrorIndex(valid), valid.length, 'valid JSON scans to its end');
  });
});

describe('reading many small tensors through a read-ahead window', () => {
  it('gives the bytes a direct read gives, at every offset and length, across window edges', async () => {
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251);
    const direct = memorySource('direct', bytes);
    const windowed = readAhead(memorySource('windowed', bytes), 64);
    for (const [offset, length] of [
      [0, 1],
      [1, 63],
      [63, 2],
      [64, 64],
      [100, 10],
      [90, 20],
      [4990, 10],
      [0, 5000],
      [4999, 1],
      [10, 0],
    ] as const) {
      assert.deepEqual(await windowed.read(offset, length), await direct.read(offset, length), `${length} bytes at ${offset}`);
    }
    await assert.rejects(windowed.read(4999, 2), RangeError);
  });
});
