import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSource } from '../../../../src/analysis/sources/analyzeSource';
import type { SliceTable } from '../../../../src/analysis/results';
import { classification, fixturePath, readJson } from '../../../helpers/fixtures';

const expected = readJson<{ n: number; crossEntropy: number; bySlice: SliceTable[] }>(fixturePath('slices', 'expected.json'));

function assertRelative(actual: number, want: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - want) <= tolerance * Math.abs(want), `${what}: ${actual} against ${want}`);
}

/** Every figure of every slice, in order, against pandas' groupby. */
export function assertSlicesMatch(actual: readonly SliceTable[], want: readonly SliceTable[]): void {
  assert.deepEqual(
    actual.map((table) => table.column),
    want.map((table) => table.column),
  );
  actual.forEach((table, c) => {
    const wanted = want[c]!;
    assert.deepEqual(
      table.slices.map(({ value, rows }) => [value, rows]),
      wanted.slices.map(({ value, rows }) => [value, rows]),
      `${table.column}: values and rows`,
    );
    table.slices.forEach((slice, s) => {
      const w = wanted.slices[s]!;
      const what = `${table.column}=${slice.value}`;
      assertRelative(slice.crossEntropy, w.crossEntropy, 1e-12, `${what} cross-entropy`);
      assertRelative(slice.crossEntropyStdError, w.crossEntropyStdError, 1e-9, `${what} cross-entropy se`);
      assertRelative(slice.accuracy, w.accuracy, 1e-12, `${what} accuracy`);
      assertRelative(slice.accuracyStdError, w.accuracyStdError, 1e-9, `${what} accuracy se`);
    });
  });
}

describe('the per-slice table of a CSV', () => {
  it("groups the rows by each text column of few values, as pandas' groupby does, and leaves out an id column", async () => {
    const analysis = classification(await analyzeSource({ kind: 'path', path: fixturePath('slices', 'sliced.csv') }));
    assert.equal(analysis.summary.n, expected.n);
    assertRelative(analysis.summary.crossEntropy, expected.crossEntropy, 1e-12, 'cross-entropy');
    assert.ok(analysis.bySlice, 'no per-slice table');
    assertSlicesMatch(analysis.bySlice.columns, expected.bySlice);
    assert.match(analysis.bySlice.method, /ddof 1/);
    // The source column's rare values fall into one "other" slice.
    const source = analysis.bySlice.columns.find((table) => table.column === 'source')!;
    assert.equal(source.slices.length, 65);
    assert.equal(source.slices.at(-1)!.value, 'other');
    // Rows sum to the file's in every column.
    for (const table of analysis.bySlice.columns)
      assert.equal(
        table.slices.reduce((total, slice) => total + slice.rows, 0),
        expected.n,
      );
  });
});
