import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyCoder, parsePlainLines } from '../../../src/readers/csvRecords';

describe('KeyCoder', () => {
  const keys = [
    { field: 0, values: ['train', 'test'] },
    { field: 3, values: ['en', 'de'] },
  ];

  it('codes the rows parsePlainLines reads: blank lines skipped, CR dropped, spaces trimmed, unknown values past the end', () => {
    const text = 'train,0,0.5,en\r\n\n test ,1,0.25,de\r\nvalid,1,0.75,fr\n\ntrain,0,0.5,de';
    const bytes = new TextEncoder().encode(text);
    const parsed = parsePlainLines(bytes, { width: 4, delimiter: 0x2c, decimalComma: false, fields: [1, 2] });
    assert.equal(parsed.rows, 4);
    const codes = new KeyCoder(keys, 0x2c).codeLines(bytes, parsed.rows);
    assert.deepEqual(
      codes.map((column) => Array.from(column)),
      [
        [0, 1, 2, 0],
        [0, 1, 2, 1],
      ],
    );
    // Keys in the second half of a record are found from its end: the same codes.
    const fromEnd = new KeyCoder([keys[1]!, { field: 2, values: ['0.25', '0.5'] }], 0x2c, 4).codeLines(bytes, parsed.rows);
    assert.deepEqual(
      fromEnd.map((column) => Array.from(column)),
      [
        [0, 1, 2, 1],
        [1, 0, 2, 1],
      ],
    );
  });

  it('codes text fields the general parser split', () => {
    const coder = new KeyCoder(keys, 0x2c);
    assert.equal(coder.codeOf(0, ' test'), 1);
    assert.equal(coder.codeOf(1, 'ja'), 2);
  });

  it('refuses more values than a byte codes', () => {
    assert.throws(() => new KeyCoder([{ field: 0, values: Array.from({ length: 256 }, (_, i) => `v${i}`) }], 0x2c), /at most 255/);
  });
});
