// The worker's 'compare' request: two files read with the same options, compared row by row,
// against NumPy and SciPy (expected.json, gen_compare.py); refusals come back as one line.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { serveRequest } from '../../../src/worker/serveRequest';
import { assertComparisonMatches, compareExpected, compareFixture } from '../analysis/comparisonFixtures';

const path = (name: string) => ({ kind: 'path' as const, path: compareFixture(name) });

describe("the worker's 'compare' request", () => {
  it('compares A against B with the figures of NumPy and SciPy, and reports its progress in halves', async () => {
    const fractions: number[] = [];
    const outcome = await serveRequest({ id: 1, action: 'compare', source: path('a.csv'), compareWith: path('b.csv'), options: {} }, (fraction) =>
      fractions.push(fraction),
    );
    assert.equal(outcome.error, undefined);
    assertComparisonMatches(outcome.comparison!.comparison, compareExpected.csv, 1e-12);
    assert.deepEqual([outcome.comparison!.comparison.fileA, outcome.comparison!.comparison.fileB], ['a.csv', 'b.csv']);
    assert.ok(fractions.every((fraction, i) => fraction >= 0 && fraction <= 1 && (i === 0 || fraction >= fractions[i - 1]!)));
  });

  it("reads an editor's unsaved text as it reads the file, and names the files as asked", async () => {
    const bytes = new Uint8Array(readFileSync(compareFixture('b.csv')));
    const outcome = await serveRequest({
      id: 2,
      action: 'compare',
      source: path('a.csv'),
      compareWith: { kind: 'bytes', name: 'b.csv', bytes },
      names: { a: 'left/a.csv', b: 'right/b.csv' },
      options: {},
    });
    assertComparisonMatches(outcome.comparison!.comparison, compareExpected.csv, 1e-12);
    assert.equal(outcome.comparison!.comparison.fileA, 'left/a.csv');
  });

  it('refuses a changed label or a missing row in one line naming the file and the place', async () => {
    const changed = await serveRequest({ id: 3, action: 'compare', source: path('a.csv'), compareWith: path('b_label_changed.csv'), options: {} });
    assert.equal(changed.comparison, undefined);
    assert.match(
      changed.error!,
      new RegExp(`^b_label_changed\\.csv: row ${compareExpected.labelChangedRow}: label \\d differs from a\\.csv's \\d: a comparison needs the same labels$`),
    );
    const short = await serveRequest({ id: 4, action: 'compare', source: path('a.csv'), compareWith: path('b_short.csv'), options: {} });
    assert.match(short.error!, /^b_short\.csv: 397 rows, a\.csv has 400: a comparison needs the same rows in both files$/);
    const missing = await serveRequest({ id: 5, action: 'compare', source: path('a.csv'), options: {} });
    assert.match(missing.error!, /needs a second file/);
  });
});
