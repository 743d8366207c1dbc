// Two analyses of the same rows compared (src/analysis/compare.ts) against NumPy and SciPy
// (test/fixtures/compare/expected.json, gen_compare.py), on one thread and on scoring threads.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { analyzeSource } from '../../../src/analysis/sources/analyzeSource';
import { compareAnalyses } from '../../../src/analysis/compare';
import { ScoringPool } from '../../../src/analysis/threads/scoringPool';
import { describeError } from '../../../src/readers/errors';
import { assertClose, fixturePath, readJson, REPO_ROOT } from '../../helpers/fixtures';
import { assertComparisonMatches, compareExpected, compareFixture } from './comparisonFixtures';

const SCORING_THREAD = join(REPO_ROOT, 'dist', 'scoringThread.js');
const dir = mkdtempSync(join(tmpdir(), 'likelihood-lens-compare-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const analyze = (path: string, pool?: ScoringPool) => analyzeSource({ kind: 'path', path }, { keepRowLosses: true }, {}, pool ? { pool } : {});

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return describeError(error);
  }
  throw new Error('no error');
}

/** A fixture's header and its data lines repeated `times` times: enough bytes for the scoring threads. */
function repeated(name: string, times: number): string {
  const [header, ...rows] = readFileSync(compareFixture(name), 'utf8').trimEnd().split('\n');
  const path = join(dir, `${times}x-${name}`);
  writeFileSync(path, `${header}\n${Array.from({ length: times }, () => rows.join('\n')).join('\n')}\n`);
  return path;
}

describe('comparing two analyses of the same rows', () => {
  it("CSVs of probabilities: every figure as NumPy and SciPy's, the bootstrap to 1e-12", async () => {
    const comparison = compareAnalyses(await analyze(compareFixture('a.csv')), await analyze(compareFixture('b.csv')));
    assert.deepEqual([comparison.fileA, comparison.fileB, comparison.task, comparison.loss], ['a.csv', 'b.csv', 'categorical', 'crossEntropy']);
    assertComparisonMatches(comparison, compareExpected.csv, 1e-12);
  });

  it('.npy logits beside their labels: the same', async () => {
    const comparison = compareAnalyses(await analyze(compareFixture('npy_a', 'logits.npy')), await analyze(compareFixture('npy_b', 'logits.npy')));
    assertComparisonMatches(comparison, compareExpected.npy, 1e-12);
  });

  it("regression (Gaussian NLL, sigma 1) and soft targets: as NumPy and SciPy's, their targets compared", async () => {
    for (const task of ['regression', 'soft'] as const) {
      const comparison = compareAnalyses(await analyze(compareFixture(`${task}_a.csv`)), await analyze(compareFixture(`${task}_b.csv`)));
      assert.equal(comparison.task, task);
      assert.deepEqual(comparison.warnings, []);
      assertComparisonMatches(comparison, compareExpected[task], 1e-12);
    }
    const { row, target } = compareExpected.regressionTargetChanged;
    const regressionA = await analyze(compareFixture('regression_a.csv'));
    const regressionChanged = await analyze(compareFixture('regression_b_target_changed.csv'));
    assert.match(
      errorOf(() => compareAnalyses(regressionA, regressionChanged)),
      new RegExp(
        `^regression_b_target_changed\\.csv: row ${row}: target ${target} [-0-9.e]+ differs from regression_a\\.csv's [-0-9.e]+: a comparison needs the same targets$`,
      ),
    );
  });

  it("a language model's .npy logits beside input_ids: per scored token (flat position b x T + t), the last of each sequence left out", async () => {
    const comparison = compareAnalyses(await analyze(compareFixture('lm_a', 'logits.npy')), await analyze(compareFixture('lm_b', 'logits.npy')));
    assert.deepEqual([comparison.task, comparison.ignored], ['lm', compareExpected.lmIgnored]);
    assert.deepEqual(comparison.warnings, []);
    assertComparisonMatches(comparison, compareExpected.lm, 1e-12);
  });

  it('the scoring threads keep the same labels, top classes and losses as one thread', async () => {
    const pathA = repeated('a.csv', 280);
    const pathB = repeated('b.csv', 280);
    const pool = new ScoringPool({ script: SCORING_THREAD, count: 2 });
    try {
      const threadedA = await analyze(pathA, pool);
      assert.ok(pool.jobsRun >= 2, `the threads scored ${pool.jobsRun} blocks`);
      const singleA = await analyze(pathA);
      assert.deepEqual(threadedA.rowTargets, singleA.rowTargets);
      const options = { replicates: 20 };
      const threaded = compareAnalyses(threadedA, await analyze(pathB, pool), options);
      const single = compareAnalyses(singleA, await analyze(pathB), options);
      assert.equal(threaded.n, 280 * compareExpected.csv.n);
      assert.equal(threaded.flippedRightToWrong, 280 * compareExpected.csv.correctness.mcnemar.aRightBWrong);
      assert.deepEqual(threaded, single);
    } finally {
      await pool.close();
    }
  });

  it("a row left out for a missing value in either file is compared in neither; the rest give each file's cross-entropy", async () => {
    const missing = readJson<Record<string, { n: number; missing: number; missingRows: number[]; crossEntropy: number }>>(
      fixturePath('missing', 'expected.json'),
    )['classifier.csv']!;
    const path = fixturePath('missing', 'classifier.csv');
    const a = await analyze(path);
    const self = compareAnalyses(a, a);
    assert.equal(self.n, missing.n);
    assert.equal(self.ignored, missing.missing);
    assertClose(self.crossEntropyA, missing.crossEntropy, 1e-14, 'cross-entropy of the rows both files score');
    assert.equal(self.crossEntropyDifference, 0);
    // B loses a score in a row A keeps: that row leaves the comparison too.
    const [header, ...rows] = readFileSync(path, 'utf8').trimEnd().split('\n');
    const kept = Array.from({ length: rows.length }, (_, row) => row).find((row) => !missing.missingRows.includes(row))!;
    rows[kept] = rows[kept]!.replace(/,[^,]*$/, ',');
    const pathB = join(dir, 'one-more-missing.csv');
    writeFileSync(pathB, `${header}\n${rows.join('\n')}\n`);
    const fewer = compareAnalyses(a, await analyze(pathB));
    assert.equal(fewer.n, missing.n - 1);
    assert.equal(fewer.ignored, missing.missing + 1);
  });

  it('refuses, in one line naming the file and the row, labels that differ, another row count, a task without per-row losses', async () => {
    const a = await analyze(compareFixture('a.csv'));
    const row = compareExpected.labelChangedRow;
    const changed = await analyze(compareFixture('b_label_changed.csv'));
    assert.match(
      errorOf(() => compareAnalyses(a, changed)),
      new RegExp(`^b_label_changed\\.csv: row ${row}: label \\d differs from a\\.csv's \\d: a comparison needs the same labels$`),
    );
    assert.equal(
      errorOf(() => compareAnalyses(a, changed, {}, { a: 'first.csv', b: 'second.csv' })).split(':')[0],
      'second.csv',
      'named as the caller names the files',
    );
    const short = await analyze(compareFixture('b_short.csv'));
    assert.equal(
      errorOf(() => compareAnalyses(a, short)),
      `b_short.csv: ${compareExpected.csv.n - 3} rows, a.csv has ${compareExpected.csv.n}: a comparison needs the same rows in both files`,
    );
    const fit = await analyzeSource({ kind: 'path', path: compareFixture('b.csv') }, { keepRowLosses: true, task: 'fit' });
    assert.equal(fit.task, 'fit');
    assert.match(
      errorOf(() => compareAnalyses(a, fit)),
      /^b\.csv: read as a 'fit' task, a\.csv as 'categorical': a comparison needs the same task$/,
    );
    const fitA = await analyzeSource({ kind: 'path', path: compareFixture('a.csv') }, { keepRowLosses: true, task: 'fit' });
    assert.match(
      errorOf(() => compareAnalyses(fitA, fit)),
      /^a\.csv: a fit's report has no per-row loss of a model's predictions to compare/,
    );
    const withoutRows = await analyzeSource({ kind: 'path', path: compareFixture('b.csv') });
    assert.equal(
      errorOf(() => compareAnalyses(a, withoutRows)),
      'b.csv: no per-row losses were kept (keepRowLosses)',
    );
    for (const message of [errorOf(() => compareAnalyses(a, changed)), errorOf(() => compareAnalyses(a, short))]) assert.ok(!message.includes('\n'), message);
  });
});
