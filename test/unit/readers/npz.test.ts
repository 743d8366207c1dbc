import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { fileSource, memorySource, type ByteSource } from '../../../src/readers/byteSource';
import { DEFAULT_LIMITS, type ReadLimits } from '../../../src/readers/limits';
import { readNpz } from '../../../src/readers/npz';
import { crc32, openZip } from '../../../src/readers/zip';
import { fixturePath } from '../../helpers/fixtures';
import { assertTensors, bytesOf, corruptionsRefused, expected, fixtureReader, refusalChecker } from '../../helpers/tensorFixtures';

const PLACE = /^(byte \d+|tensor '[^']*'|member '[^']*'(, byte \d+( of its inflated content)?)?)$/;
const assertRefused = refusalChecker(PLACE);
const readFixture = fixtureReader(readNpz);

/** A one-member zip built here, so bombs need not be stored in the repository. */
function zipOf(name: string, content: Uint8Array, options: { deflate: boolean; declaredSize?: number }): Uint8Array {
  const packed = options.deflate ? new Uint8Array(deflateRawSync(content)) : content;
  const nameBytes = new TextEncoder().encode(name);
  const size = options.declaredSize ?? content.length;
  const crc = crc32(content);
  const local = new DataView(new ArrayBuffer(30));
  local.setUint32(0, 0x04034b50, true);
  local.setUint16(4, 20, true);
  local.setUint16(8, options.deflate ? 8 : 0, true);
  local.setUint32(14, crc, true);
  local.setUint32(18, packed.length, true);
  local.setUint32(22, size, true);
  local.setUint16(26, nameBytes.length, true);
  const central = new DataView(new ArrayBuffer(46));
  central.setUint32(0, 0x02014b50, true);
  central.setUint16(4, 20, true);
  central.setUint16(6, 20, true);
  central.setUint16(10, options.deflate ? 8 : 0, true);
  central.setUint32(16, crc, true);
  central.setUint32(20, packed.length, true);
  central.setUint32(24, size, true);
  central.setUint16(28, nameBytes.length, true);
  const directoryOffset = 30 + nameBytes.length + packed.length;
  const directorySize = 46 + nameBytes.length;
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, 1, true);
  end.setUint16(10, 1, true);
  end.setUint32(12, directorySize, true);
  end.setUint32(16, directoryOffset, true);
  const parts = [new Uint8Array(local.buffer), nameBytes, packed, new Uint8Array(central.buffer), nameBytes, new Uint8Array(end.buffer)];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A .npy of `count` zero float64s: mostly zeros, so it deflates about 1000:1. */
function zerosNpy(count: number): Uint8Array {
  const header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${count},), }`;
  const text = header + ' '.repeat(117 - header.length) + '\n';
  const out = new Uint8Array(10 + text.length + count * 8);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length & 0xff, text.length >> 8]);
  out.set(new TextEncoder().encode(text), 10);
  return out;
}

/** Records every read, to prove members are read by range. */
function countingSource(source: ByteSource): ByteSource & { largest: number } {
  const counting = {
    name: source.name,
    size: source.size,
    largest: 0,
    read(offset: number, length: number) {
      counting.largest = Math.max(counting.largest, length);
      return source.read(offset, length);
    },
    close: () => source.close(),
  };
  return counting;
}

describe('npz reader', () => {
  const npzFiles = expected.files.filter((f) => f.format === 'npz');
  it('has stored, deflated, zip64 and nested-name fixtures', () => {
    for (const file of ['savez.npz', 'savez_compressed.npz', 'zip64.npz', 'positional.npz', 'extra_member.npz'])
      assert.ok(
        npzFiles.some((f) => f.file === file),
        file,
      );
    assert.ok(npzFiles.some((f) => f.tensors.some((t) => t.name === 'nested/dir/probs')));
  });

  for (const want of npzFiles) {
    it(`reads ${want.file} exactly as NumPy does`, async () => {
      const file = await readFixture(want.file);
      assert.equal(file.format, 'npz');
      assertTensors(file, want);
    });
  }

  it('gives the same tensors from np.savez and np.savez_compressed', async () => {
    const stored = await readFixture('savez.npz');
    const deflated = await readFixture('savez_compressed.npz');
    assert.deepEqual(stored.tensors, deflated.tensors);
    assert.equal(stored.tensors.length, 4);
  });

  it('exposes stored members as ranges and checks deflated ones', async () => {
    const archive = await openZip(memorySource('savez.npz', bytesOf('savez.npz')), DEFAULT_LIMITS);
    assert.deepEqual(
      archive.members.map((m) => [m.name, m.method]),
      [
        ['logits.npy', 0],
        ['labels.npy', 0],
        ['nested/dir/probs.npy', 0],
        ['big.npy', 0],
      ],
    );
    const content = await archive.open(archive.members[0]!);
    assert.equal(typeof content.fileOffset, 'number');
    const compressed = await openZip(memorySource('c.npz', bytesOf('savez_compressed.npz')), DEFAULT_LIMITS);
    assert.ok(compressed.members.every((m) => m.method === 8));
    assert.equal((await compressed.open(compressed.members[0]!)).fileOffset, undefined);
  });

  it('reads stored members by range, never the whole file at once', async () => {
    const arrays = 64;
    const big = zipOf('big.npy', zerosNpy(arrays * 1024), { deflate: false });
    const source = countingSource(memorySource('big.npz', big));
    const file = await readNpz(source);
    assert.equal(file.tensors[0]!.data.length, arrays * 1024);
    assert.ok(source.largest <= arrays * 1024 * 8, `largest read ${source.largest}`);
    assert.ok(source.largest < big.length);
  });

  it('warns about members that are not arrays', async () => {
    const file = await readFixture('extra_member.npz');
    assert.deepEqual(file.warnings, ["member 'README.txt' is not a .npy array; skipped"]);
  });

  const brokenNpz = expected.broken.filter((b) => b.file.endsWith('.npz'));
  it('has a broken corpus', () => assert.ok(brokenNpz.length >= 10));
  for (const bad of brokenNpz) {
    it(`refuses broken/${bad.file}`, { timeout: 10_000 }, async () => {
      const source = await fileSource(fixturePath('tensors', 'broken', bad.file), bad.file);
      try {
        await assertRefused(() => readNpz(source), bad.file, bad.expect);
      } finally {
        await source.close();
      }
    });
  }

  it('names the member and its byte for a bad array inside', async () => {
    const error = await assertRefused(() => readNpz(memorySource('object_member.npz', bytesOf('broken', 'object_member.npz'))), 'object_member.npz');
    assert.match(error.place, /^member 'a\.npy', byte \d+$/);
  });

  it('refuses every truncation of valid archives with a DataFileError', { timeout: 120_000 }, async () => {
    for (const name of ['savez.npz', 'savez_compressed.npz', 'zip64.npz']) {
      const bytes = bytesOf(name);
      for (let length = 0; length < bytes.length; length++) await assertRefused(() => readNpz(memorySource(name, bytes.subarray(0, length))), name);
    }
  });

  it('either reads or refuses cleanly when bytes are corrupted', { timeout: 120_000 }, async () => {
    const files = ['savez.npz', 'savez_compressed.npz', 'zip64.npz'].map((name) => ({ name, bytes: bytesOf(name) }));
    const refused = await corruptionsRefused((source) => readNpz(source), files, { seed: 987654321, rounds: 300, maxFlips: 3, place: PLACE });
    assert.ok(refused > 100, `only ${refused} corruptions were refused`);
  });

  describe('zip bombs', () => {
    // 48 MB of zeros deflates to about 47 KB: over the default ratio of 1000.
    const zeros = zerosNpy(6 * 2 ** 20);

    it('refuses a member whose declared size is over the compression ratio limit, before inflating', { timeout: 20_000 }, async () => {
      const bomb = zipOf('bomb.npy', zeros, { deflate: true });
      assert.ok(bomb.length < 100_000);
      await assertRefused(
        () => readNpz(memorySource('bomb.npz', bomb)),
        'bomb.npz',
        'ratio over the limit of 1000 (a zip bomb?) (setting likelihoodLens.limits.maxCompressionRatio)',
      );
    });

    it('stops inflating at the declared size when the member lies about it', { timeout: 20_000 }, async () => {
      const bomb = zipOf('bomb.npy', zeros, { deflate: true, declaredSize: 4096 });
      const error = await assertRefused(() => readNpz(memorySource('liar.npz', bomb)), 'liar.npz', 'inflates to more than the 4096 bytes it declares');
      assert.equal(error.place, "member 'bomb.npy'");
    });

    it('refuses a declared size over maxInflatedBytes', { timeout: 20_000 }, async () => {
      const small = zipOf('small.npy', zerosNpy(1000), { deflate: true });
      const limits: ReadLimits = { ...DEFAULT_LIMITS, maxInflatedBytes: 4000 };
      await assertRefused(
        () => readNpz(memorySource('small.npz', small), limits),
        'small.npz',
        'over the limit of 4000 (setting likelihoodLens.limits.maxInflatedMB)',
      );
      // The same archive is fine under the default limits.
      assert.equal((await readNpz(memorySource('small.npz', small))).tensors[0]!.data.length, 1000);
    });
  });

  it('enforces the member count and tensor byte limits', async () => {
    await assertRefused(() => readFixture('savez.npz', { ...DEFAULT_LIMITS, maxTensors: 2 }), 'savez.npz', '(setting likelihoodLens.limits.maxTensors)');
    await assertRefused(() => readFixture('savez.npz', { ...DEFAULT_LIMITS, maxTensorBytes: 60 }), 'savez.npz', 'over the limit of 60');
    await assertRefused(() => readFixture('savez.npz', { ...DEFAULT_LIMITS, maxHeaderBytes: 100 }), 'savez.npz', 'over the limit of 100');
  });

  it('computes CRC-32 as zip does', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
  });
});
