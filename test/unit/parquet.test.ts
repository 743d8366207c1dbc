import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyzeSource } from '../../src/analysis/analyzeFile';
import { memorySource } from '../../src/readers/byteSource';
import { DataFileError } from '../../src/readers/errors';
import { readParquet } from '../../src/readers/parquet';
import { assertClose, fixturePath, readJson, classification } from '../helpers/fixtures';

const expected = readJson<Record<string, { crossEntropy: number; logLikelihood: number; n: number }>>(fixturePath('classifier', 'expected.json'));

describe('Parquet reader', () => {
  for (const name of ['basic_snappy.parquet', 'basic_plain.parquet']) {
    it(`${name}: the cross-entropy PyTorch gives for the same numbers in CSV`, async () => {
      const analysis = classification(await analyzeSource({ kind: 'path', path: fixturePath('parquet', name) }));
      assert.equal(analysis.file.format, 'parquet');
      assert.equal(analysis.roles.target, 'label');
      assert.deepEqual(analysis.roles.predictions, ['p0', 'p1', 'p2', 'p3']);
      assert.equal(analysis.summary.n, expected['basic.csv']!.n);
      assertClose(analysis.summary.crossEntropy, expected['basic.csv']!.crossEntropy, 1e-12, 'cross-entropy');
      assertClose(analysis.summary.logLikelihood, expected['basic.csv']!.logLikelihood, 1e-12, 'log-likelihood');
    });
  }

  it("reads pandas' own to_parquet output (pyarrow, snappy, dictionary pages)", async () => {
    const bytes = readFileSync(fixturePath('parquet', 'pandas_simple.parquet'));
    const table = await readParquet(memorySource('pandas_simple.parquet', bytes));
    assert.equal(table.rowCount, 3);
    assert.deepEqual(table.columns.map((c) => [c.name, Array.from(c.values)]), [['A', [1, 2, 3]]]);
    assert.deepEqual(table.textColumns, ['B']);
  });

  it('a broken or truncated file gives one line naming the file, never another error', async () => {
    const bytes = readFileSync(fixturePath('parquet', 'basic_snappy.parquet'));
    const cuts = [0, 4, 8, 100, bytes.length >> 1, bytes.length - 9, bytes.length - 1];
    for (const cut of cuts) {
      const truncated = memorySource('cut.parquet', bytes.subarray(0, cut));
      await assert.rejects(readParquet(truncated), (error: unknown) => {
        assert.ok(error instanceof DataFileError, `cut at ${cut}: ${String(error)}`);
        assert.match(error.message, /^cut\.parquet: /);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    }
    await assert.rejects(readParquet(memorySource('text.parquet', new TextEncoder().encode('label,p0\n0,1\n'))), /^DataFileError: text\.parquet: not a Parquet file/);
  });
});
