import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSource } from '../../../src/analysis/sources/analyzeSource';
import { DataFileError, listNames, quoteBytes, quoteName } from '../../../src/readers/errors';
import { fixturePath } from '../../helpers/fixtures';

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
