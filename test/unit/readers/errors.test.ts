import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyzeSource } from '../../../src/analysis/sources/analyzeSource';
import { DataFileError, listNames, quoteBytes, quoteName } from '../../../src/readers/errors';
import { memorySource } from '../../../src/readers/byteSource';
import { readParquet } from '../../../src/readers/parquet';
import { readTensorSource } from '../../../src/readers/readTensorFile';
import { fixturePath } from '../../helpers/fixtures';
import { random } from '../../helpers/random';

describe('names in messages', () => {
  it('quotes a name with its line breaks and control characters escaped, and cuts a long one', () => {
    assert.equal(quoteName('logits'), "'logits'");
    assert.equal(quoteName('a\nb\r\tc\u0000\u2028'), "'a\\nb\\r\\tc\\u0000\\u2028'");
    assert.equal(quoteName('x'.repeat(500)), `'${'x'.repeat(200)}...'`);
  });

  it('lists plain names bare and quotes the ones a comma list would garble', () => {
    assert.equal(listNames(['label', 'p0']), 'label, p0');
    assert.equal(listNames(['a, b', 'c', "it's", ' pad', '', 'new\nline']), "'a, b', c, 'it's', ' pad', '', 'new\\nline'");
  });

  it('keeps a DataFileError on one line whatever its parts hold', () => {
    const error = new DataFileError('f.csv', `column ${quoteName('x\ny')}`, 'bad');
    assert.equal(error.message, "f.csv: column 'x\\ny': bad");
  });
});

describe('text that is not ASCII in messages', () => {
  const refusal = async (file: string, options: { target?: string } = {}) => {
    try {
      await analyzeSource({ kind: 'path', path: fixturePath('nonascii', file) }, options);
    } catch (error) {
      assert.ok(error instanceof DataFileError, String(error));
      return error.message;
    }
    return assert.fail(`${file} was read`);
  };

  it("shows a CSV's bad cell 'ʤ' as itself, not as its UTF-8 bytes read as Latin-1", async () => {
    assert.equal(await refusal('bad_cell.csv'), "bad_cell.csv: line 3, column 2 (p0): '\u02a4' is not a number");
  });

  it('cuts a long bad cell before a character, never through it', async () => {
    assert.equal(await refusal('long_bad_cell.csv'), `long_bad_cell.csv: line 3, column 3 (p1): '${'x'.repeat(39)}' is not a number`);
    const bytes = new TextEncoder().encode(`${'x'.repeat(38)}\u02a4y`);
    assert.equal(quoteBytes(bytes), `'${'x'.repeat(38)}\u02a4'`);
    assert.equal(quoteBytes(bytes, 39), `'${'x'.repeat(38)}'`);
    // Bytes that are not UTF-8 show as U+FFFD.
    assert.equal(quoteBytes(new Uint8Array([0x61, 0xe9, 0x62])), "'a\ufffdb'");
  });

  it('names an .npz member and a Parquet column that are not ASCII as they are', async () => {
    assert.equal(await refusal('names.npz', { target: 'nope' }), "names.npz: no tensor named 'nope' (tensors: \u02a4logits float64[4, 3], labels int64[4])");
    assert.equal(
      await refusal('nonascii_names.parquet', { target: 'nope' }),
      "nonascii_names.parquet: no column named 'nope' (numeric columns: \u02a4label, p0)",
    );
  });
});

describe('corrupted files fail with our message, naming the file and the place', () => {
  // What a library or the runtime says of itself, as they spell it (hyparquet's messages start 'parquet '): never shown.
  const FOREIGN =
    /Cannot read|undefined|null|is not a function|is not iterable|Invalid (typed )?array|out of bounds|\bparquet [a-z]|zlib|incorrect header|invalid (distance|code|block|stored)|Maximum call stack/;
  const FLIPS = 300;
  const files: [string, string, (name: string, bytes: Uint8Array) => Promise<unknown>][] = [
    ['parquet', 'basic_snappy.parquet', (name, bytes) => readParquet(memorySource(name, bytes))],
    ['parquet', 'basic_gzip.parquet', (name, bytes) => readParquet(memorySource(name, bytes))],
    ['tensors', 'savez.npz', (name, bytes) => readTensorSource(memorySource(name, bytes), '.npz')],
    ['tensors', 'savez_compressed.npz', (name, bytes) => readTensorSource(memorySource(name, bytes), '.npz')],
  ];
  for (const [folder, file, read] of files) {
    it(`${FLIPS} seeded bit flips of ${file}: each reads or fails with a DataFileError of ours`, async () => {
      const original = new Uint8Array(readFileSync(fixturePath(folder, file)));
      const next = random(0xf11b + original.length);
      let refused = 0;
      for (let flip = 0; flip < FLIPS; flip++) {
        const at = Math.floor(next() * original.length);
        const bit = Math.floor(next() * 8);
        const bytes = Uint8Array.from(original);
        bytes[at]! ^= 1 << bit;
        const name = `flip-${at}-${bit}-${file}`;
        try {
          await read(name, bytes);
        } catch (error) {
          refused++;
          const what = `byte ${at} bit ${bit}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
          assert.ok(error instanceof DataFileError, what);
          assert.ok(error.message.startsWith(`${name}: `), what);
          assert.doesNotMatch(error.reason, FOREIGN, what);
          // A place, in the place or in the reason, unless the whole file is at fault (not the format at all).
          assert.ok(error.place !== '' || /\bbyte \d+|not a Parquet file|not a zip/.test(error.reason), what);
        }
      }
      assert.ok(refused > 0, 'some flips are refused');
    });
  }
});
