import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memorySource } from '../../../src/readers/byteSource';
import { parseCsv } from '../../../src/readers/csv';
import { sniffCsv, streamCsvColumns } from '../../../src/readers/csvStream';
import { random } from '../../helpers/random';

interface Generated {
  text: string;
  delimiter: string;
  names: string[];
  numbers: number[][];
  notes: string[];
}

/** A random CSV: numeric columns (some quoted), one text column full of delimiters, quotes and line breaks. */
function generate(seed: number): Generated {
  const next = random(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const delimiter = pick([',', ';', '\t', '|']);
  const newline = pick(['\n', '\r\n']);
  const width = 2 + Math.floor(next() * 4);
  const rows = 1 + Math.floor(next() * 40);
  const names = Array.from({ length: width }, (_, j) => `c${j}`);
  const quote = (text: string) => `"${text.replace(/"/g, '""')}"`;
  const numbers: number[][] = [];
  const notes: string[] = [];
  const lines = [[...names, 'note'].map((name) => (next() < 0.3 ? quote(name) : name)).join(delimiter)];
  for (let i = 0; i < rows; i++) {
    const values = Array.from({ length: width }, () => Number((next() * 200 - 100).toPrecision(1 + Math.floor(next() * 17))));
    const note = Array.from({ length: Math.floor(next() * 6) }, () => pick(['a', 'b c', delimiter, '"', '\n', '\r\n', 'é', ',', ';'])).join('');
    numbers.push(values);
    notes.push(note);
    const fields = values.map((v) => (next() < 0.2 ? quote(String(v)) : String(v)));
    // A text cell that is a plain number would make the column numeric: keep it a word.
    fields.push(quote(`n:${note}`));
    lines.push(fields.join(delimiter));
  }
  const body = lines.join(newline) + (next() < 0.5 ? newline : '');
  return { text: (next() < 0.2 ? '\uFEFF' : '') + body, delimiter, names, numbers, notes: notes.map((note) => `n:${note}`) };
}

describe('CSV readers on random files', () => {
  it('read back exactly what was written, whole and streamed in tiny chunks (300 files)', async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const file = generate(seed);
      const whole = parseCsv(file.text.replace(/^\uFEFF/, ''), `random-${seed}.csv`, { delimiter: file.delimiter });
      assert.deepEqual(
        whole.columns.map((c) => c.name),
        file.names,
        `seed ${seed}: numeric columns`,
      );
      assert.deepEqual(
        whole.textColumns.map((c) => c.name),
        ['note'],
        `seed ${seed}: text column`,
      );
      file.numbers.forEach((row, i) => row.forEach((value, j) => assert.equal(whole.columns[j]!.values[i], value, `seed ${seed} row ${i} column ${j}`)));

      const bytes = new TextEncoder().encode(file.text);
      const source = memorySource(`random-${seed}.csv`, bytes);
      const layout = await sniffCsv(source);
      assert.equal(layout.delimiter, file.delimiter, `seed ${seed}: delimiter detected`);
      const streamed: number[][] = [];
      for await (const batch of streamCsvColumns(
        source,
        layout,
        file.names.map((_, j) => j),
        { chunkBytes: 1 + (seed % 13), batchRows: 7 },
      )) {
        for (let i = 0; i < batch.rows; i++) streamed.push(Array.from(batch.values.subarray(i * file.names.length, (i + 1) * file.names.length)));
      }
      assert.deepEqual(streamed, file.numbers, `seed ${seed}: streamed`);
    }
  });
});
