import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeText, detectDelimiter, parseCsv } from '../../../src/readers/csv';
import { DataFileError } from '../../../src/readers/errors';
import { parseNumber } from '../../../src/readers/numbers';
import { parseTableBytes } from '../../../src/readers/readDataFile';
import { fixturePath, readTableFile } from '../../helpers/fixtures';

const classifier = (name: string) => fixturePath('classifier', name);

describe('CSV reader', () => {
  it('reads pandas output: header, integer labels, full-precision floats', async () => {
    const table = await readTableFile(classifier('basic.csv'));
    assert.equal(table.format, 'csv');
    assert.equal(table.rowCount, 200);
    assert.deepEqual(
      table.columns.map((c) => c.name),
      ['label', 'p0', 'p1', 'p2', 'p3'],
    );
    // First data row as written by pandas (repr of the float64).
    assert.equal(table.columns[1]!.values[0], 0.7316844617389419);
    assert.equal(table.columns[0]!.values[0], 0);
    assert.equal(table.rowLines![0], 2);
    assert.equal(table.rowLines![199], 201);
  });

  it('reads the same numbers through a BOM and CRLF, quotes on every field, and tabs', async () => {
    const plain = await readTableFile(classifier('basic.csv'));
    for (const name of ['bom_crlf.csv', 'quoted.csv', 'tabs.tsv']) {
      const table = await readTableFile(classifier(name));
      assert.deepEqual(
        table.columns.map((c) => c.name),
        ['label', 'p0', 'p1', 'p2', 'p3'],
        name,
      );
      table.columns.forEach((column, index) => assert.deepEqual(column.values, plain.columns[index]!.values, `${name}: ${column.name}`));
    }
  });

  it('keeps delimiters, doubled quotes and line breaks inside quoted fields, and counts lines across them', () => {
    const table = parseCsv('label,note,p0\n0,"a, ""quoted""\nnote",0.5\n1,plain,0.25\n', 'q.csv');
    assert.deepEqual(
      table.columns.map((c) => c.name),
      ['label', 'p0'],
    );
    assert.deepEqual(Array.from(table.columns[1]!.values), [0.5, 0.25]);
    assert.deepEqual(Array.from(table.rowLines!), [2, 4]);
    assert.deepEqual(table.textColumns, [
      { name: 'note', line: 2, column: 2, sample: 'a, "quoted"\nnote', topValues: ['a, "quoted"\nnote', 'plain'], topShare: 1 },
    ]);
  });

  it("counts a text column's values, most frequent first and ties in order of appearance", () => {
    const table = parseCsv('label,split,p0\n0,test,0.5\n1, train ,0.25\n1,train,0.75\n0,valid,0.5\n', 's.csv');
    assert.deepEqual(table.textColumns[0]!.topValues, ['train', 'test', 'valid']);
    assert.equal(table.textColumns[0]!.topShare, 1);
    const many = Array.from({ length: 100 }, (_, i) => `0,id${i},0.5`).join('\n');
    const ids = parseCsv(`label,id,p0\n${many}\n`, 'ids.csv').textColumns[0]!;
    assert.equal(ids.topValues.length, 64);
    assert.equal(ids.topShare, 0.64);
  });

  it('detects comma, tab, semicolon and pipe delimiters', () => {
    assert.equal(detectDelimiter('a,b,c\n1,2,3\n'), ',');
    assert.equal(detectDelimiter('a\tb\tc\n1\t2\t3\n'), '\t');
    assert.equal(detectDelimiter('a;b;c\n1,5;2,5;3\n'), ';');
    assert.equal(detectDelimiter('a|b\n1|2\n'), '|');
  });

  it('reads semicolon files with decimal commas', () => {
    const table = parseCsv('label;p0;p1\n0;0,25;0,75\n1;0,5;0,5\n', 'eu.csv');
    assert.equal(table.decimalComma, true);
    assert.deepEqual(Array.from(table.columns[1]!.values), [0.25, 0.5]);
  });

  it('names columns when there is no header row', () => {
    const table = parseCsv('0,0.5,0.5\n1,0.25,0.75\n', 'nohead.csv');
    assert.equal(table.hasHeader, false);
    assert.equal(table.rowCount, 2);
    assert.deepEqual(
      table.columns.map((c) => c.name),
      ['column 1', 'column 2', 'column 3'],
    );
  });

  it('spells NaN and infinity as NumPy and pandas users do', () => {
    assert.ok(Number.isNaN(parseNumber('')));
    assert.ok(Number.isNaN(parseNumber('NaN')));
    assert.ok(Number.isNaN(parseNumber('NA')));
    assert.equal(parseNumber('inf'), Infinity);
    assert.equal(parseNumber('-Infinity'), -Infinity);
    assert.equal(parseNumber(' 1e-3 '), 0.001);
    assert.equal(parseNumber('0x10'), undefined, 'hex is not a number in a CSV');
    assert.equal(parseNumber('1,5', true), 1.5);
  });

  it('decodes UTF-16 files with a byte-order mark', () => {
    const text = 'label,p0\n0,0.5\n';
    const utf16 = new Uint8Array([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]);
    assert.equal(decodeText(utf16, 'u16.csv'), text);
    assert.equal(parseTableBytes(utf16, 'u16.csv').rowCount, 1);
  });

  const failures: [string, RegExp][] = [
    ['ragged.csv', /^ragged\.csv: line 3: expected 3 fields, found 2$/],
    ['unclosed_quote.csv', /^unclosed_quote\.csv: line 2: a quoted field is never closed$/],
    ['latin1.csv', /^latin1\.csv: line 3, byte 43: not UTF-8 text \(byte 0xe9\); save the file as UTF-8$/],
  ];
  for (const [name, message] of failures) {
    it(`refuses ${name} with one line naming the file and the place`, async () => {
      await assert.rejects(readTableFile(classifier(name)), (error: unknown) => {
        assert.ok(error instanceof DataFileError);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  it('refuses missing files and folders without a stack trace', async () => {
    await assert.rejects(readTableFile(classifier('missing.csv')), { message: 'missing.csv: no such file' });
    await assert.rejects(readTableFile(fixturePath('classifier')), /unsupported file type/);
  });

  it('only reads: the file is byte-for-byte unchanged afterwards', async () => {
    const before = readFileSync(classifier('basic.csv'));
    await readTableFile(classifier('basic.csv'));
    assert.deepEqual(readFileSync(classifier('basic.csv')), before);
  });
});
