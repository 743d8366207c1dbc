import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { memorySource } from '../../../src/readers/byteSource';
import { parseCsv } from '../../../src/readers/csv';
import { streamCsvColumns, sniffCsv } from '../../../src/readers/csvStream';
import { DataFileError } from '../../../src/readers/errors';
import { parseNumberBytes } from '../../../src/readers/fastNumber';
import { fixturePath } from '../../helpers/fixtures';

async function streamAll(name: string, bytes: Uint8Array, chunkBytes: number, batchRows = 5) {
  const source = memorySource(name, bytes);
  const layout = await sniffCsv(source);
  const fields = layout.columns.map((column) => column.field!);
  const rows: number[][] = [];
  const lines: number[] = [];
  for await (const batch of streamCsvColumns(source, layout, fields, { chunkBytes, batchRows })) {
    for (let i = 0; i < batch.rows; i++) rows.push(Array.from(batch.values.subarray(i * fields.length, (i + 1) * fields.length)));
    lines.push(...batch.lines);
  }
  return { layout, rows, lines };
}

const encode = (text: string) => new TextEncoder().encode(text);

describe('streaming CSV reader', () => {
  for (const name of ['basic.csv', 'bom_crlf.csv', 'quoted.csv', 'tabs.tsv', 'named.csv', 'logits.csv']) {
    it(`${name}: every chunk size gives what the whole-file reader gives`, async () => {
      const bytes = readFileSync(fixturePath('classifier', name));
      const whole = parseCsv(new TextDecoder().decode(bytes).replace(/^\uFEFF/, ''), name);
      for (const chunk of [7, 64, 1000, 1 << 20]) {
        const { rows, lines } = await streamAll(name, bytes, chunk);
        assert.equal(rows.length, whole.rowCount, `chunk ${chunk}`);
        whole.columns.forEach((column, j) => {
          for (let i = 0; i < whole.rowCount; i++) assert.equal(rows[i]![j], column.values[i], `${name} chunk ${chunk} row ${i} ${column.name}`);
        });
        assert.deepEqual(lines, Array.from(whole.rowLines!));
      }
    });
  }

  it('follows a quoted field with line breaks across chunk boundaries, and a last line without a break', async () => {
    const text = 'label,note,p0\r\n0,"a\r\nb, ""c""",0.5\r\n\r\n1,"x",0.25\r\n2,y,1e-3';
    for (const chunk of [1, 3, 5, 11, 100]) {
      const { rows, lines } = await streamAll('q.csv', encode(text), chunk);
      assert.deepEqual(
        rows.map((r) => [r[0], r[1]]),
        [
          [0, 0.5],
          [1, 0.25],
          [2, 0.001],
        ],
        `chunk ${chunk}`,
      );
      assert.deepEqual(lines, Array.from(parseCsv(text, 'q.csv').rowLines!), 'the lines the whole-file reader gives');
      assert.deepEqual(lines, [2, 5, 6]);
    }
  });

  it('names the line and column of a ragged row, a word in a number column, and bytes that are not UTF-8, past the first megabyte', async () => {
    const body = '0,0.5,0.5\n'.repeat(120_000);
    const cases: [string, Uint8Array, RegExp][] = [
      ['ragged.csv', encode(`label,p0,p1\n${body}1,0.5\n`), /^ragged\.csv: line 120002: expected 3 fields, found 2$/],
      ['word.csv', encode(`label,p0,p1\n${body}1,0.5,oops\n`), /^word\.csv: line 120002, column 3 \(p1\): 'oops' is not a number$/],
      [
        'latin.csv',
        new Uint8Array([...encode(`label,p0,p1\n${body}`), 0x31, 0x2c, 0xe9, 0x2c, 0x30, 0x0a]),
        /^latin\.csv: line 120002: not UTF-8 text; save the file as UTF-8$/,
      ],
      ['open.csv', encode(`label,p0,p1\n${body}1,"0.5,0.5\n`), /^open\.csv: line 120002: a quoted field is never closed$/],
    ];
    for (const [name, bytes, message] of cases) {
      await assert.rejects(streamAll(name, bytes, 1 << 16, 65_536), (error: unknown) => {
        assert.ok(error instanceof DataFileError, String(error));
        assert.match(error.message, message);
        return true;
      });
    }
  });

  it('reads decimal commas in semicolon files', async () => {
    const { rows } = await streamAll('eu.csv', encode('label;p0;p1\n0;0,25;0,75\n1;"0,5";0,5\n'), 4);
    assert.deepEqual(rows, [
      [0, 0.25, 0.75],
      [1, 0.5, 0.5],
    ]);
  });
});

describe('number parsing on bytes', () => {
  const parse = (text: string, comma = false) => {
    const bytes = encode(text);
    return parseNumberBytes(bytes, 0, bytes.length, comma);
  };

  it('gives exactly what Number() gives, on a million generated numbers', () => {
    let state = 12345;
    const next = () => (state = (state * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < 1_000_000; i++) {
      const digits = 1 + (next() % 19);
      let text = String(next() % 10 ** Math.min(digits, 9)).padStart(1, '0') + String(next()).slice(0, Math.max(0, digits - 9));
      const point = next() % (text.length + 1);
      text = `${text.slice(0, point)}.${text.slice(point)}`;
      if (next() % 3 === 0) text += `e${next() % 2 ? '-' : ''}${next() % 40}`;
      if (next() % 2) text = `-${text}`;
      if (text.includes('.e') || text.startsWith('.e') || text === '.' || text === '-.') continue;
      assert.equal(parse(text), Number(text), text);
    }
  });

  it('handles spellings, blanks and words', () => {
    assert.ok(Number.isNaN(parse('')));
    assert.ok(Number.isNaN(parse('  nan ')));
    assert.equal(parse('-inf'), -Infinity);
    assert.equal(parse(' 7 '), 7);
    assert.equal(parse('1,25', true), 1.25);
    assert.equal(parse('0x1F'), undefined);
    assert.equal(parse('1e'), undefined);
    assert.equal(parse('abc'), undefined);
    assert.equal(parse('0.73168446173894190'), 0.7316844617389419);
    assert.ok(Object.is(parse('-0'), -0));
  });
});
