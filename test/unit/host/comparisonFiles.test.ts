// The comparison panel's names for its files, and the line a data row starts on (what a click reveals).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { comparisonNames, lineOfDataRow } from '../../../src/host/comparisonFiles';
import { compareFixture } from '../analysis/comparisonFixtures';

describe('the comparison panel’s files', () => {
  it('names A and B by file name, or by their paths when the names are the same', () => {
    const relative = (path: string) => path.replace('/w/', '');
    assert.deepEqual(comparisonNames('/w/a.csv', '/w/b.csv', relative), { a: 'a.csv', b: 'b.csv' });
    assert.deepEqual(comparisonNames('/w/npy_a/logits.npy', '/w/npy_b/logits.npy', relative), { a: 'npy_a/logits.npy', b: 'npy_b/logits.npy' });
  });

  it('finds the line of a data row: after the header, past blank lines and newlines inside quotes, CRLF alike', () => {
    assert.equal(lineOfDataRow('y,p\n1,0.5\n0,0.2\n', 0), 1);
    assert.equal(lineOfDataRow('y,p\n1,0.5\n0,0.2\n', 1), 2);
    assert.equal(lineOfDataRow('y,p\n1,0.5\n0,0.2\n', 2), undefined);
    assert.equal(lineOfDataRow('y,p\r\n\r\n1,0.5\r\n\r\n0,0.2\r\n', 1), 4);
    assert.equal(lineOfDataRow('y,name\n1,"two\nlines"\n0,x\n', 1), 3);
  });

  it("finds every row of the fixture on the line the file's own text puts it", () => {
    const text = readFileSync(compareFixture('a.csv'), 'utf8');
    const lines = text.split('\n');
    for (const row of [0, 17, 399]) assert.equal(lines[lineOfDataRow(text, row)!], lines[row + 1]);
    assert.equal(lineOfDataRow(text, 400), undefined);
  });
});
