// The comparison as its panel shows it (compareInDetail): the derivation's identities hold with the
// files' numbers, reached by independent routes, and its figures are NumPy's (expected.json, gen_compare.py).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareInDetail } from '../../../src/analysis/compare';
import { analyzeSource } from '../../../src/analysis/sources/analyzeSource';
import { assertClose } from '../../helpers/fixtures';
import { assertComparisonMatches, compareExpected, compareFixture } from './comparisonFixtures';

const analyze = (...parts: string[]) => analyzeSource({ kind: 'path', path: compareFixture(...parts) }, { keepRowLosses: true });

describe('a comparison in detail, for its panel', () => {
  it("CSVs: the figures, the derivation's checks and the plots agree with NumPy's", async () => {
    const detail = compareInDetail(await analyze('a.csv'), await analyze('b.csv'));
    const want = compareExpected.csv;
    assertComparisonMatches(detail.comparison, want, 1e-12);
    const steps = detail.derivation.steps;
    assert.deepEqual(
      steps.map((step) => step.id),
      ['log-likelihood-a', 'log-likelihood-b', 'log-likelihood-ratio', 'likelihood-ratio', 'difference-interval'],
    );
    const checked = steps.filter((step) => step.check);
    assert.equal(checked.length, 4, 'both files checked against their own pass, the ratio and the mean difference');
    for (const step of checked) {
      assert.ok(step.check!.holds, `${step.id}: residual ${step.check!.residual}`);
      // Two routes, two numbers: a check of a number against itself could not fail.
      assert.ok(step.check!.lhs !== step.check!.rhs || step.check!.residual === 0);
    }
    const ratio = steps.find((step) => step.id === 'log-likelihood-ratio')!;
    assertClose(ratio.check!.lhs, want.logLikelihoodRatio, 1e-12, 'log L_A - log L_B');
    assertClose(ratio.check!.rhs, want.logLikelihoodRatio, 1e-12, '-sum of the differences');
    assert.match(ratio.latex, new RegExp(`-${want.n}\\\\times`));
    assertClose(steps[0]!.check!.lhs, -want.crossEntropyA * want.n, 1e-12, 'log L_A of its pass');
    assert.match(steps[4]!.note, new RegExp(`seed ${want.bootstrapInterval95.seed}`));
    assert.deepEqual(detail.plots.histogram.counts, compareExpected.csvPlots.histogram.counts);
    assert.equal(detail.plots.scatter.rows.length, want.n);
    assertClose(detail.plots.runningMean.mean.at(-1)!, want.crossEntropyDifference, 1e-12, 'the running mean ends at the difference');
  });

  it('a language model: positions nothing scores are left out, and the per-file check is not claimed for them', async () => {
    const detail = compareInDetail(await analyze('lm_a', 'logits.npy'), await analyze('lm_b', 'logits.npy'));
    assertComparisonMatches(detail.comparison, compareExpected.lm, 1e-12);
    assert.equal(detail.comparison.ignored, compareExpected.lmIgnored);
    const [stepA, stepB] = detail.derivation.steps;
    assert.equal(stepA!.check, undefined);
    assert.equal(stepB!.restatement, '-n x CE_B');
    assert.ok(detail.derivation.steps.filter((step) => step.check).every((step) => step.check!.holds));
    assert.deepEqual(detail.plots.scatter.rows.slice(0, 3), [0, 1, 2], 'the rows are the flat positions b x T + t');
    assert.equal(detail.plots.scatter.total, compareExpected.lm.n);
  });
});
