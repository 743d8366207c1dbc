import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyzeSource } from '../../../src/analysis/sources/analyzeSource';
import { memorySource } from '../../../src/readers/byteSource';
import { DataFileError } from '../../../src/readers/errors';
import { readJsonLines, MAX_JSON_LINE_BYTES } from '../../../src/readers/jsonLines';
import { numberInString, readJsonLinesTable } from '../../../src/readers/jsonLinesTable';
import { assertClose, classification, fixturePath, readJson } from '../../helpers/fixtures';

interface Expected {
  n: number;
  logits: (number | string)[][];
  crossEntropy: number;
  logLikelihood: number;
  extra?: (number | string)[];
}
const expected = readJson<Record<string, Expected>>(fixturePath('jsonlines', 'expected.json'));
const fromPython = (v: number | string) => (typeof v === 'number' ? v : v === 'nan' ? Number.NaN : v === 'inf' ? Infinity : -Infinity);
const source = (name: string, text: string) => memorySource(name, new TextEncoder().encode(text));

async function values(text: string): Promise<unknown[]> {
  const out = [];
  for await (const { value } of readJsonLines(source('t.jsonl', text))) out.push(value);
  return out;
}

describe('JSON Lines reader', () => {
  for (const name of ['nonfinite.jsonl', 'nonfinite_lists.jsonl']) {
    it(`${name}: NaN, Infinity and number strings as pandas.read_json reads them, and PyTorch's cross-entropy`, async () => {
      const analysis = classification(await analyzeSource({ kind: 'path', path: fixturePath('jsonlines', name) }));
      assert.equal(analysis.summary.n, expected[name]!.n);
      assertClose(analysis.summary.crossEntropy, expected[name]!.crossEntropy, 1e-12, 'cross-entropy');
      assertClose(analysis.summary.logLikelihood, expected[name]!.logLikelihood, 1e-12, 'log-likelihood');
    });
  }

  it('reads each logit and the unused column to the value pandas gives, under a BOM and CRLF line ends', async () => {
    const bytes = readFileSync(fixturePath('jsonlines', 'nonfinite.jsonl'));
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.ok(bytes.includes('\r\n'));
    const table = await readJsonLinesTable(memorySource('nonfinite.jsonl', bytes));
    const column = (name: string) => Array.from(table.columns.find((c) => c.name === name)!.values);
    const { logits, extra } = expected['nonfinite.jsonl']!;
    for (let j = 0; j < 4; j++)
      assert.deepEqual(
        column(`logit_${j}`),
        logits.map((row) => fromPython(row[j]!)),
        `logit_${j}`,
      );
    assert.deepEqual(column('extra'), extra!.map(fromPython));
    assert.deepEqual(Array.from(table.rowLines!).slice(0, 3), [1, 2, 3]);
  });

  it('takes bare tokens only outside strings, and keeps a string "NaN" a string', async () => {
    assert.deepEqual(await values('{"text": "NaN or Infinity \\" -Infinity", "x": NaN, "y": [-Infinity, 1, Infinity], "s": "NaN"}\n'), [
      { text: 'NaN or Infinity " -Infinity', x: Number.NaN, y: [-Infinity, 1, Infinity], s: 'NaN' },
    ]);
    await assert.rejects(values('{"x": 1}\n{"x": nan}\n'), (error: unknown) => {
      assert.ok(error instanceof DataFileError);
      assert.equal(error.place, 'line 2');
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  });

  it("reads number strings as Python's float() does, and nothing else", () => {
    const cases: [string, number | undefined][] = [
      [' 1.5 ', 1.5],
      ['-2e3', -2000],
      ['.5', 0.5],
      ['5.', 5],
      ['+7', 7],
      ['inf', Infinity],
      ['-Infinity', -Infinity],
      ['INF', Infinity],
      ['NaN', Number.NaN],
      ['-nan', Number.NaN],
      ['0x10', undefined],
      ['1,5', undefined],
      ['', undefined],
      ['infinite', undefined],
      ['1e', undefined],
    ];
    for (const [text, value] of cases) assert.deepEqual(numberInString(text), value, JSON.stringify(text));
  });

  it('reads null as a missing value, and a word in a number column stops at its line', async () => {
    const table = await readJsonLinesTable(source('t.jsonl', '{"label": 0, "p": 0.5}\n{"label": null, "p": "0.25"}\n'));
    assert.deepEqual(Array.from(table.columns[0]!.values), [0, Number.NaN]);
    assert.deepEqual(Array.from(table.columns[1]!.values), [0.5, 0.25]);
    await assert.rejects(readJsonLinesTable(source('w.jsonl', '{"label": 0, "p": 0.5}\r\n{"label": 1, "p": "high"}\r\n')), {
      message: `w.jsonl: line 2: 'p' is "high", not a number`,
    });
  });

  it('refuses a line over the cap, within one chunk or across many, at its line', async () => {
    assert.equal(MAX_JSON_LINE_BYTES, 64 << 20);
    const short = '{"x": 1}\n';
    await assert.rejects(readJsonLinesTable(source('t.jsonl', `${short}{"x": "${'y'.repeat(200)}"}\n`), { maxLineBytes: 100 }), {
      message: 't.jsonl: line 2: a line longer than 100 bytes, the most a line may hold',
    });
    const long = `${short}${short}{"x": "${'y'.repeat(3 << 20)}"}\n`;
    await assert.rejects(readJsonLinesTable(source('t.jsonl', long), { maxLineBytes: 2 << 20 }), {
      message: 't.jsonl: line 3: a line longer than 2 MB, the most a line may hold',
    });
    // Under the cap, the same line is read.
    const table = await readJsonLinesTable(source('t.jsonl', `{"x": 2, "pad": "${'y'.repeat(3 << 20)}"}\n`), { maxLineBytes: 4 << 20 });
    assert.deepEqual(Array.from(table.columns[0]!.values), [2]);
  });
});
