// The paired comparison of two models against NumPy and SciPy (test/fixtures/compare/expected.json,
// gen_compare.py): the difference of cross-entropies, its standard error, both 95% intervals (the
// bootstrap's weights drawn by the generator's identical RNG), McNemar's exact test deep in the tail,
// and the bootstrap interval's coverage over simulated repeats.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PairedComparisonState, type PairedComparisonResult } from '../../../../src/engine/comparison/pairedComparison';
import { crossEntropyStdError } from '../../../../src/engine/meanVariance';
import { mcnemarExact } from '../../../../src/engine/comparison/mcnemar';
import { bootstrapWeight, hash32, rowKey } from '../../../../src/engine/comparison/poissonBootstrap';
import { assertClose } from '../../../helpers/fixtures';
import { assertPairedFigures, compareExpected } from '../../analysis/comparisonFixtures';

const expected: any = compareExpected;
const lossesA: number[] = expected.npyRowLossesA;
const lossesB: number[] = expected.npyRowLossesB;

/** The comparison's numbers against the generator's, to `tolerance`. */
function assertComparison(actual: PairedComparisonResult, want: any, tolerance: number): void {
  assertPairedFigures(actual, want, tolerance);
  if (want.correctness) {
    const c = actual.correctness!;
    assert.ok(c, 'no correctness');
    assert.equal(c.accuracyA, want.correctness.accuracyA);
    assert.equal(c.accuracyB, want.correctness.accuracyB);
    assert.deepEqual([c.bothRight, c.bothWrong], [want.correctness.bothRight, want.correctness.bothWrong]);
    assert.deepEqual(c.aRightBWrongRows, want.correctness.aRightBWrongRows);
    assert.deepEqual(c.aWrongBRightRows, want.correctness.aWrongBRightRows);
    assert.deepEqual([c.mcnemar.aRightBWrong, c.mcnemar.aWrongBRight], [want.correctness.mcnemar.aRightBWrong, want.correctness.mcnemar.aWrongBRight]);
    assertClose(c.mcnemar.pValue, want.correctness.mcnemar.pValue, 1e-12, 'mcnemar pValue');
  }
}

function compare(rows: Iterable<number>, state = new PairedComparisonState()): PairedComparisonState {
  for (const i of rows) state.add(i, lossesA[i]!, lossesB[i]!);
  return state;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('paired comparison of two models', () => {
  it('matches NumPy and SciPy: difference, log-likelihood ratio, standard errors, normal and bootstrap intervals, wins, largest differences', () => {
    const want = { ...expected.npy };
    delete want.correctness;
    assertComparison(compare(range(0, lossesA.length)).result(), want, 1e-12);
  });

  it('states its sign: A minus B, so the log-likelihood ratio is -n x the difference', () => {
    const result = compare(range(0, lossesA.length)).result();
    assertClose(result.logLikelihoodRatio, -result.n * result.crossEntropyDifference, 1e-12, 'log L_A - log L_B');
    assert.ok(result.crossEntropyDifference > 0 && result.logLikelihoodRatio < 0, 'model B (lower loss) is favoured');
  });

  it('gives the same answer in blocks merged in any order as in one pass (the bootstrap keyed by row index)', () => {
    const whole = compare(range(0, lossesA.length)).result();
    const blocks = [range(250, 400), range(0, 97), range(97, 250)].map((rows) => compare(rows));
    const merged = new PairedComparisonState();
    for (const block of blocks) merged.merge(block);
    const result = merged.result();
    assertComparison(result, { ...expected.npy, correctness: undefined }, 1e-12);
    assert.deepEqual(result.largestDifferences, whole.largestDifferences);
  });

  it("draws the generator's Poisson(1) weights, row indices past 2^32 included", () => {
    const { seed, rows, replicates, weights } = expected.bootstrapWeights;
    rows.forEach((row: number, i: number) => {
      const key = rowKey(seed, row);
      assert.deepEqual(
        Array.from({ length: replicates }, (_, r) => bootstrapWeight(key, r)),
        weights[i],
        `row ${row}`,
      );
    });
  });

  it('crossEntropyStdError is std(per-row NLL, ddof 1) / sqrt n', () => {
    assertClose(crossEntropyStdError(lossesA), expected.npy.crossEntropyStdErrorA, 1e-12, 'A');
    assertClose(crossEntropyStdError(lossesB), expected.npy.crossEntropyStdErrorB, 1e-12, 'B');
    assert.ok(Number.isNaN(crossEntropyStdError([1])), 'one row has no standard error');
  });

  it("McNemar's exact test matches scipy.stats.binomtest, in log space where the p-value is 1e-80 or below the smallest double", () => {
    for (const want of expected.mcnemar) {
      const result = mcnemarExact(want.aRightBWrong, want.aWrongBRight);
      const what = `b=${want.aRightBWrong} c=${want.aWrongBRight}`;
      assert.ok(Number.isFinite(result.log10PValue), what);
      assertClose(result.log10PValue, want.log10PValue, 1e-12, `${what} log10`);
      if (want.pValue > 0) assert.ok(Math.abs(result.pValue - want.pValue) <= 1e-12 * want.pValue, `${what}: ${result.pValue} vs ${want.pValue}`);
    }
    const tail = mcnemarExact(5, 300);
    assert.ok(tail.pValue > 1e-83 && tail.pValue < 1e-80, `about 1e-80, not 0: ${tail.pValue}`);
  });

  it('the bootstrap 95% interval covers the true difference in 92% to 98% of 400 simulated repeats', () => {
    // Correlated, skewed per-row losses: A ~ Exp(1), B = 0.5 A + 0.4 Exp(1), so E[A - B] = 0.1.
    const truth = 0.1;
    const uniform = (repeat: number, i: number, stream: number) => (hash32((hash32((hash32(repeat) ^ i) >>> 0) + stream) >>> 0) + 0.5) / 4294967296;
    let covered = 0;
    for (let repeat = 0; repeat < 400; repeat++) {
      const state = new PairedComparisonState({ seed: repeat + 1 });
      for (let i = 0; i < 200; i++) {
        const a = -Math.log(uniform(repeat, i, 1));
        const b = 0.5 * a + 0.4 * -Math.log(uniform(repeat, i, 2));
        state.add(i, a, b);
      }
      const { lower, upper } = state.result().bootstrapInterval95;
      if (lower <= truth && truth <= upper) covered++;
    }
    const coverage = covered / 400;
    assert.ok(coverage >= 0.92 && coverage <= 0.98, `coverage ${coverage}`);
  });
});
