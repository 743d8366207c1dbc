import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { memorySource } from '../../../src/readers/byteSource';
import { DataFileError } from '../../../src/readers/errors';
import { gunzipSource, gzipSource } from '../../../src/readers/gzip';
import { DEFAULT_LIMITS } from '../../../src/readers/limits';
import { fixturePath } from '../../helpers/fixtures';

const fixture = (name: string) => memorySource(name, readFileSync(fixturePath('compressed', name)));

describe('gzip reader', () => {
  it('gives the bytes gzip -d gives, every member of a concatenated file included', async () => {
    const csv = readFileSync(fixturePath('classifier', 'basic.csv'));
    assert.deepEqual(Buffer.from(await gunzipSource(fixture('basic.csv.gz'))), csv);
    assert.deepEqual(Buffer.from(await gunzipSource(fixture('two_members.csv.gz'))), csv);
  });

  it('refuses a gzip bomb past the size limit, naming the setting, before inflating the rest', async () => {
    const limits = { ...DEFAULT_LIMITS, maxInflatedBytes: 4 << 20 };
    await assert.rejects(gunzipSource(fixture('bomb.csv.gz'), limits), (error: unknown) => {
      assert.ok(error instanceof DataFileError);
      assert.match(error.message, /^bomb\.csv\.gz: byte \d+: decompresses to more than 4 MB \(setting likelihoodLens\.limits\.maxInflatedMB\)$/);
      return true;
    });
  });

  it('refuses output past the compression ratio limit', async () => {
    const limits = { ...DEFAULT_LIMITS, maxCompressionRatio: 100 };
    await assert.rejects(gunzipSource(fixture('bomb.csv.gz'), limits), {
      message:
        /^bomb\.csv\.gz: byte \d+: decompresses to more than 100 times its 65279 bytes, a gzip bomb \(setting likelihoodLens\.limits\.maxCompressionRatio\)$/,
    });
    // The same ratio is fine below the floor that small files get.
    const small = gzipSync(Buffer.alloc(200_000));
    assert.equal((await gunzipSource(memorySource('zeros.gz', small), limits)).length, 200_000);
  });

  it('a truncated or corrupt stream, or one that is not gzip, is one line naming the file', async () => {
    for (const [name, reason] of [
      ['truncated.csv.gz', 'the gzip data ends early'],
      ['plain_text.csv.gz', 'the gzip data is corrupt'],
    ]) {
      await assert.rejects(gunzipSource(fixture(name!)), (error: unknown) => {
        assert.ok(error instanceof DataFileError, String(error));
        assert.ok(error.message.startsWith(`${name}: byte `), error.message);
        // zlib's own words ('unexpected end of file', 'incorrect header check') are not shown.
        assert.equal(error.reason, reason);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    }
    await assert.rejects(gunzipSource(memorySource('empty.gz', new Uint8Array(0))), { message: 'empty.gz: the file is empty, not gzip data' });
  });

  it('serves reads of a large file front to back, and again from the start, as gzip -d gives the bytes', async () => {
    // 5 MB of varied text: several input and output chunks.
    const lines: string[] = [];
    for (let i = 0; lines.length < 120_000; i++) lines.push(`${i},${(i * 2654435761) % 1000003},${Math.sin(i).toFixed(12)}`);
    const compressed = gzipSync(lines.join('\n'));
    const whole = gunzipSync(compressed);
    const source = await gzipSource(memorySource('big.csv.gz', compressed));
    assert.equal(source.size, whole.length);
    const reads: [number, number][] = [
      [0, 1000],
      [0, 1 << 20],
      [1 << 20, 1 << 20],
      [(3 << 20) + 17, 123_456],
      [100, 10],
      [whole.length - 5, 5],
    ];
    for (const [offset, length] of reads)
      assert.deepEqual(Buffer.from(await source.read(offset, length)), whole.subarray(offset, offset + length), `${offset}+${length}`);
    await assert.rejects(source.read(whole.length - 1, 2), RangeError);
    await source.close();
    await source.close();
  });

  it('measures before it serves, so a bomb is refused before any read', async () => {
    await assert.rejects(gzipSource(fixture('bomb.csv.gz'), { ...DEFAULT_LIMITS, maxInflatedBytes: 4 << 20 }), {
      message: /^bomb\.csv\.gz: byte \d+: decompresses to more than 4 MB/,
    });
  });
});
