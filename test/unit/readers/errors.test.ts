import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataFileError, listNames, quoteName } from '../../../src/readers/errors';

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
