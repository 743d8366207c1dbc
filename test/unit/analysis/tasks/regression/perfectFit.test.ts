import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSource } from '../../../../../src/analysis/sources/analyzeSource';
import type { RegressionAnalysis } from '../../../../../src/analysis/results';
import { SquaredErrorState } from '../../../../../src/engine/regression';
import { assertClose, fixturePath, readJson } from '../../../../helpers/fixtures';

const expected = readJson<{ n: number; mse: number; gaussianNll: number; sigmaMle: number; logLikelihoodAtSigmaMle: string }>(
  fixturePath('engine', 'perfect_fit.json'),
);

describe('regression with a perfect prediction', () => {
  it('has sigma MLE 0 and an NLL of -inf there, said in a warning and the derivation, never NaN', async () => {
    const analysis = (await analyzeSource({ kind: 'path', path: fixturePath('engine', 'perfect_fit.csv') })) as RegressionAnalysis;
    assert.equal(analysis.task, 'regression');
    const s = analysis.summary;
    assert.equal(s.n, expected.n);
    assert.equal(s.mse, expected.mse);
    assert.equal(s.sigmaMle, expected.sigmaMle);
    assert.equal(expected.logLikelihoodAtSigmaMle, 'inf');
    assert.equal(s.logLikelihoodAtSigmaMle, Infinity);
    assertClose(s.gaussianNll, expected.gaussianNll, 1e-12, 'Gaussian NLL at sigma = 1');
    assert.ok(
      analysis.warnings.some((warning) => /the MLE of sigma is 0 and the Gaussian NLL at it is -inf/.test(warning)),
      analysis.warnings.join('\n'),
    );
    const step = analysis.derivations[0]!.steps.find((candidate) => candidate.id === 'sigma-mle')!;
    assert.match(step.latex, /\\hat\\sigma = 0/);
    assert.match(step.latex, /-\\infty/);
    assert.doesNotMatch(JSON.stringify(analysis.derivations), /NaN/);
    for (const derivation of analysis.derivations) for (const { check } of derivation.steps) if (check) assert.ok(check.holds, check.label);
    assert.deepEqual(analysis.plots.parameterCurves, []);
  });

  it('keeps the closed form for residuals that are not all 0', () => {
    const state = new SquaredErrorState(1);
    state.consume({ targets: { n: 2, k: 1, values: Float64Array.of(1, 2) }, predictions: { n: 2, k: 1, values: Float64Array.of(1, 2) } });
    assert.equal(state.perfectFit, true);
    assert.equal(state.nllAtSigmaMle, -Infinity);
    state.consume({ targets: { n: 1, k: 1, values: Float64Array.of(3) }, predictions: { n: 1, k: 1, values: Float64Array.of(2) } });
    assert.equal(state.perfectFit, false);
    assertClose(state.logLikelihoodAtSigmaMle, -state.gaussianNll(state.sigmaMle), 1e-15, 'log L at the MLE');
  });
});
