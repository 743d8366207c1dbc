import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { analyzeSource } from '../../../../src/analysis/sources/analyzeSource';
import { ScoringPool } from '../../../../src/analysis/threads/scoringPool';
import type { SliceTable } from '../../../../src/analysis/results';
import { classification, fixturePath, readJson, REPO_ROOT } from '../../../helpers/fixtures';

const SCORING_THREAD = join(REPO_ROOT, 'dist', 'scoringThread.js');
const dir = mkdtempSync(join(tmpdir(), 'likelihood-lens-slices-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const expected = readJson<{ bySlice: SliceTable[] }>(fixturePath('slices', 'expected.json'));

function assertRelative(actual: number, want: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - want) <= tolerance * Math.abs(want), `${what}: ${actual} against ${want}`);
}

describe('the per-slice table on scoring threads', () => {
  it("a big CSV (the fixture 40 times, past the 8 MB at which threads start) gives the table one thread gives, and pandas' means", async () => {
    const [header, ...rows] = readFileSync(fixturePath('slices', 'sliced.csv'), 'utf8').trimEnd().split('\n');
    const times = 40;
    const path = join(dir, 'sliced-40.csv');
    writeFileSync(path, `${header}\n${Array.from({ length: times }, () => rows.join('\n')).join('\n')}\n`);
    const pool = new ScoringPool({ script: SCORING_THREAD, count: 2 });
    let threaded;
    try {
      threaded = classification(await analyzeSource({ kind: 'path', path }, {}, {}, { pool }));
      assert.ok(pool.jobsRun >= 2, `the threads scored ${pool.jobsRun} blocks`);
    } finally {
      await pool.close();
    }
    const single = classification(await analyzeSource({ kind: 'path', path }));
    const threadedTables = threaded.bySlice!.columns;
    const singleTables = single.bySlice!.columns;
    assert.deepEqual(
      threadedTables.map((table) => table.slices.map(({ value, rows }) => [value, rows])),
      singleTables.map((table) => table.slices.map(({ value, rows }) => [value, rows])),
    );
    threadedTables.forEach((table, c) =>
      table.slices.forEach((slice, s) => {
        const one = singleTables[c]!.slices[s]!;
        // The values' order comes from the first megabyte, which here is not a whole number of copies.
        const want = expected.bySlice[c]!.slices.find((w) => w.value === slice.value)!;
        const what = `${table.column}=${slice.value}`;
        assert.equal(slice.rows, times * want.rows, `${what} rows`);
        assertRelative(slice.crossEntropy, one.crossEntropy, 1e-13, `${what} threaded against one thread`);
        assertRelative(slice.crossEntropyStdError, one.crossEntropyStdError, 1e-9, `${what} se threaded against one thread`);
        assert.equal(slice.accuracy, one.accuracy);
        assertRelative(slice.crossEntropy, want.crossEntropy, 1e-12, `${what} against pandas`);
        assertRelative(slice.accuracy, want.accuracy, 1e-12, `${what} accuracy against pandas`);
      }),
    );
  });
});
