// The comparison panel's plots of paired per-row losses against NumPy (gen_compare.py: numpy.histogram,
// cumulative means and numpy.std ddof 1), and the scatter's downsampling on its own terms.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  differenceHistogram,
  differenceRunningMean,
  MAX_SCATTER_POINTS,
  runningPoints,
  scatterSample,
} from '../../../../src/engine/comparison/comparisonPlots';
import { Z_95 } from '../../../../src/engine/comparison/pairedComparison';
import { analyzeSource } from '../../../../src/analysis/sources/analyzeSource';
import { assertClose } from '../../../helpers/fixtures';
import { random as seeded } from '../../../helpers/random';
import { compareExpected, compareFixture } from '../../analysis/comparisonFixtures';

async function csvDifferences(): Promise<number[]> {
  const read = async (name: string) => (await analyzeSource({ kind: 'path', path: compareFixture(name) }, { keepRowLosses: true })).rowLosses!.crossEntropy!;
  const [a, b] = await Promise.all([read('a.csv'), read('b.csv')]);
  return a.map((lossA, i) => lossA - b[i]!);
}

describe('plots of a paired comparison', () => {
  it("the histogram of the differences has numpy.histogram's 40 edges and counts", async () => {
    const histogram = differenceHistogram(await csvDifferences());
    const want = compareExpected.csvPlots.histogram;
    assert.deepEqual(histogram.counts, want.counts);
    assert.equal(histogram.edges.length, want.edges.length);
    histogram.edges.forEach((edge, i) => assertClose(edge, want.edges[i], 1e-12, `edge ${i}`));
    assert.equal(histogram.infinite, 0);
  });

  it('the histogram counts non-finite differences apart and widens a single value as numpy does', () => {
    const histogram = differenceHistogram([2, 2, Infinity, Number.NaN], 4);
    assert.deepEqual(histogram.edges, [1.5, 1.75, 2, 2.25, 2.5]);
    assert.deepEqual(histogram.counts, [0, 0, 2, 0]);
    assert.equal(histogram.infinite, 2);
  });

  it('the running mean and its 95% band match the cumulative means and numpy.std(ddof=1) / sqrt(n)', async () => {
    const differences = await csvDifferences();
    const running = differenceRunningMean(differences);
    const { runningMean, runningStdError } = compareExpected.csvPlots;
    assert.deepEqual(running.n, runningPoints(differences.length));
    assert.equal(running.n[running.n.length - 1], differences.length);
    running.n.forEach((n, k) => {
      assertClose(running.mean[k]!, runningMean[n - 1], 1e-12, `mean at n=${n}`);
      if (n === 1) assert.equal(running.lower[k], null, 'no band from one row');
      else {
        assertClose(running.upper[k]! - running.mean[k]!, Z_95 * runningStdError[n - 1], 1e-9, `upper at n=${n}`);
        assertClose(running.mean[k]! - running.lower[k]!, Z_95 * runningStdError[n - 1], 1e-9, `lower at n=${n}`);
      }
    });
  });

  it('running points: every n to 50, then increasing in log steps to the last row, at most 301', () => {
    assert.deepEqual(runningPoints(3), [1, 2, 3]);
    const points = runningPoints(1_000_000);
    assert.ok(points.length <= 301);
    assert.deepEqual(points.slice(0, 3), [1, 2, 3]);
    assert.equal(points[points.length - 1], 1_000_000);
    for (let k = 1; k < points.length; k++) assert.ok(points[k]! > points[k - 1]!);
  });

  it('the scatter keeps every row of a small file, and at most 4,000 rows of a big one with its extremes', () => {
    const small = scatterSample({ rows: [0, 1, 2], lossA: [1, 2, Infinity], lossB: [3, 2, 1] });
    assert.deepEqual(small, { rows: [0, 1, 2], lossA: [1, 2, null], lossB: [3, 2, 1], total: 3 });
    const random = seeded(7);
    const n = 50_000;
    const lossA = Array.from({ length: n }, () => -Math.log(random()));
    const lossB = Array.from({ length: n }, () => -Math.log(random()));
    const rows = Array.from({ length: n }, (_, i) => 3 * i);
    const sample = scatterSample({ rows, lossA, lossB });
    assert.equal(sample.total, n);
    assert.ok(sample.rows.length <= MAX_SCATTER_POINTS && sample.rows.length > 0.9 * MAX_SCATTER_POINTS, `${sample.rows.length} points`);
    for (let k = 1; k < sample.rows.length; k++) assert.ok(sample.rows[k]! > sample.rows[k - 1]!, 'in row order, no row twice');
    sample.rows.forEach((row, k) => {
      assert.equal(sample.lossA[k], lossA[row / 3]);
      assert.equal(sample.lossB[k], lossB[row / 3]);
    });
    const argmax = (values: number[]) => values.reduce((best, v, i) => (v > values[best]! ? i : best), 0);
    const argmin = (values: number[]) => values.reduce((best, v, i) => (v < values[best]! ? i : best), 0);
    const differences = lossA.map((a, i) => a - lossB[i]!);
    for (const index of [argmax(differences), argmin(differences), argmax(lossA), argmin(lossA), argmax(lossB), argmin(lossB)])
      assert.ok(sample.rows.includes(rows[index]!), `row ${rows[index]} kept`);
    // An infinite loss is an extreme worth showing (as a gap); an undefined one is never ranked.
    lossA[123] = Infinity;
    lossB[456] = Number.NaN;
    const withGaps = scatterSample({ rows, lossA, lossB });
    assert.equal(withGaps.lossA[withGaps.rows.indexOf(rows[123]!)], null);
    assert.ok(withGaps.rows.length <= MAX_SCATTER_POINTS);
  });
});
