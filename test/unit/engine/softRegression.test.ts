import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PredictedVarianceState, SquaredErrorState, gaussianNllPerSample } from '../../../src/engine/regression';
import { RowError } from '../../../src/engine/rowError';
import { SoftTargetState, softTargetLosses } from '../../../src/engine/softTargets';
import { assertAllRelative, assertRelative, expected, matrix, readNumericCsv } from './engineFixtures';

const soft = expected.soft;
const softTable = readNumericCsv(soft.file);
const targets = matrix(softTable, 't', soft.k);
const logits = matrix(softTable, 'z', soft.k);
const probs = matrix(softTable, 'q', soft.k);

describe('soft targets: cross-entropy, entropy and KL', () => {
  it('mean H(p, q) matches F.cross_entropy(logits, probability targets)', () => {
    const state = softTargetLosses(targets, logits, { kind: 'logits' });
    assertRelative(state.crossEntropy, soft.torchCrossEntropy, 1e-9, 'H(p,q)');
    assertRelative(state.torchCrossEntropy, soft.torchCrossEntropy, 1e-9, 'torch form');
  });

  it('with class weights and label smoothing matches F.cross_entropy (mean over rows, not over weights, for probability targets)', () => {
    const state = softTargetLosses(targets, logits, { kind: 'logits', weight: soft.weight, labelSmoothing: soft.labelSmoothing });
    assertRelative(state.torchCrossEntropy, soft.torchCrossEntropyWeightedSmoothed, 1e-9, 'weighted smoothed');
  });

  it("KL(p || q) summed over rows / n matches F.kl_div(log q, p, reduction='batchmean')", () => {
    const state = softTargetLosses(targets, logits, { kind: 'logits' });
    assertRelative(state.klBatchmean, soft.klBatchmean, 1e-9, 'batchmean');
  });

  it('per-row entropy H(p) with 0 log 0 = 0 matches scipy.stats.entropy; KL per row matches scipy rel_entr (absolute 1e-12 where KL is near 0)', () => {
    const state = softTargetLosses(targets, logits, { kind: 'logits' });
    assertRelative(state.entropy, soft.entropyMean, 1e-12, 'mean entropy');
    const rows = new SoftTargetState(soft.k, { kind: 'logits' }).consume({ targets, predictions: logits });
    assertAllRelative(rows.entropy, soft.entropyRows, 1e-12, 'H(p) rows');
    rows.kl.forEach((v, i) => assert.ok(Math.abs(v - soft.klRows[i]) <= 1e-12 * Math.max(1, Math.abs(v)), `KL row ${i}`));
    assert.equal(rows.entropy[10], 0); // a one-hot target has no entropy
  });

  it('H(p, q) = H(p) + KL(p || q) holds on the three independently summed totals', () => {
    const state = softTargetLosses(targets, logits, { kind: 'logits' });
    const lhs = state.crossEntropySum.value;
    const rhs = state.entropySum.value + state.klSum.value;
    assertRelative(lhs, rhs, 1e-13, 'identity');
    assert.ok(state.klSum.value > 0);
  });

  it('probability predictions: F.kl_div(log q) and the xlogy cross-entropy', () => {
    const state = softTargetLosses(targets, probs, { kind: 'probs' });
    assertRelative(state.klBatchmean, soft.klProbsBatchmean, 1e-9, 'kl probs');
    assertRelative(state.crossEntropy, soft.crossEntropyProbs, 1e-12, 'CE probs');
    assert.equal(state.targetsNotNormalised, 0);
  });

  it('a negative target probability names its row', () => {
    const bad = { n: 2, k: 2, values: [0.5, 0.5, -0.1, 1.1] };
    assert.throws(
      () => softTargetLosses(bad, { n: 2, k: 2, values: [0, 0, 0, 0] }, { kind: 'logits' }),
      (e: unknown) => e instanceof RowError && e.row === 1,
    );
  });
});

const reg = expected.regression;
const regTable = readNumericCsv(reg.file);
const y = matrix(regTable, 'y', reg.k);
const yhat = matrix(regTable, 'yhat', reg.k);
const variance = matrix(regTable, 'var', reg.k);

describe('regression: MSE and the Gaussian likelihood', () => {
  const state = new SquaredErrorState(reg.k);
  const squares = state.consume({ targets: y, predictions: yhat });

  it('MSE over all n k values matches F.mse_loss mean and sum', () => {
    assertRelative(state.mse, reg.mseLoss, 1e-12, 'mse mean');
    assertRelative(state.sse.value, reg.mseLossSum, 1e-12, 'mse sum');
  });

  it('fixed-sigma NLL = n k log(sqrt(2 pi) sigma) + SSE / (2 sigma^2) equals -sum scipy.stats.norm.logpdf, in total and per row', () => {
    assertRelative(state.gaussianNll(reg.sigma), reg.gaussianNllSum, 1e-12, 'sum');
    assertAllRelative(gaussianNllPerSample(squares, reg.k, reg.sigma), reg.gaussianNllRows, 1e-12, 'rows');
  });

  it('sigma MLE = sqrt(MSE), and log L there matches scipy; any other sigma is worse', () => {
    assertRelative(state.sigmaMle, reg.sigmaMle, 1e-12, 'sigma hat');
    assertRelative(state.logLikelihoodAtSigmaMle, reg.logLikelihoodAtSigmaMle, 1e-12, 'log L at sigma hat');
    assertRelative(-state.gaussianNll(state.sigmaMle), reg.logLikelihoodAtSigmaMle, 1e-12, 'same through gaussianNll');
    for (const factor of [0.99, 1.01]) assert.ok(-state.gaussianNll(state.sigmaMle * factor) < state.logLikelihoodAtSigmaMle);
  });

  for (const full of [false, true]) {
    for (const [epsName, eps] of [
      ['1e-6', 1e-6],
      ['1e-3', 1e-3],
    ] as const) {
      it(`predicted variance: F.gaussian_nll_loss(full=${full}, eps=${epsName}) mean and sum (variance clamped at eps, constant only when full)`, () => {
        const pv = new PredictedVarianceState(reg.k, { full, eps });
        pv.consume({ targets: y, predictions: yhat, variance });
        assertRelative(pv.mean, reg.gaussianNllLoss[`full=${full},eps=${epsName},mean`], 1e-12, 'mean');
        assertRelative(pv.sum, reg.gaussianNllLoss[`full=${full},eps=${epsName},sum`], 1e-12, 'sum');
        assert.ok(pv.clamped >= 5);
      });
    }
  }

  it("predicted variance: reduction='none' element-wise, and one variance per row shared by its k outputs", () => {
    const pv = new PredictedVarianceState(reg.k, { full: true });
    assertAllRelative(pv.consume({ targets: y, predictions: yhat, variance }), reg.gaussianNllLossNoneFull, 1e-12, 'none');
    const perRow = new PredictedVarianceState(reg.k, { full: true });
    perRow.consume({ targets: y, predictions: yhat, variance: { n: reg.n, k: 1, values: regTable.get('vrow')! } });
    assertRelative(perRow.mean, reg.gaussianNllLossRowVarFull, 1e-12, 'row variance');
  });

  it('a NaN target names its row', () => {
    assert.throws(
      () => new SquaredErrorState(1).consume({ targets: { n: 2, k: 1, values: [1, Number.NaN] }, predictions: { n: 2, k: 1, values: [1, 2] }, firstRow: 10 }),
      (e: unknown) => e instanceof RowError && e.row === 11,
    );
  });
});
