import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BinaryCrossEntropyState } from '../../../src/engine/binary';
import { CrossEntropyState } from '../../../src/engine/crossEntropyLoss';
import type { Derivation } from '../../../src/engine/derivation';
import { binaryDerivation } from '../../../src/engine/derivations/binary';
import { conditionalMleDerivation } from '../../../src/engine/derivations/conditionalMle';
import { entropyKlDerivation } from '../../../src/engine/derivations/entropyKl';
import { fixedSigmaRegressionDerivation, predictedVarianceDerivation } from '../../../src/engine/derivations/regression';
import { unconditionalMleDerivation } from '../../../src/engine/derivations/unconditionalMle';
import { whyLogsDerivation } from '../../../src/engine/derivations/whyLogs';
import { logDensity, type AnyFitResult } from '../../../src/analysis/tasks/fit/pass';
import { EmpiricalDistributionState } from '../../../src/engine/fits/empiricalDistribution';
import { GaussianLogDensityState } from '../../../src/engine/gaussianLogDensity';
import { fitBernoulli } from '../../../src/engine/fits/bernoulliFit';
import { fitExponential } from '../../../src/engine/fits/exponentialFit';
import { fitGaussian } from '../../../src/engine/fits/gaussianFit';
import { fitPoisson } from '../../../src/engine/fits/poissonFit';
import { fitCategorical } from '../../../src/engine/fits/categoricalFit';
import { PredictedVarianceState, SquaredErrorState } from '../../../src/engine/regression';
import { SoftTargetState } from '../../../src/engine/softTargets';
import { expected, matrix, readNumericCsv } from './engineFixtures';

function assertWellFormed(d: Derivation, tags: string[], hasCheck = true): void {
  assert.deepEqual(
    d.steps.filter((s) => s.tag).map((s) => s.tag),
    tags,
    `${d.id} tags`,
  );
  assert.equal(
    d.steps.some((s) => s.check),
    hasCheck,
    `${d.id} has a numeric check`,
  );
  for (const step of d.steps) {
    assert.ok(step.latex.length > 0 && step.note.length > 0, `${d.id}/${step.id}`);
    assert.ok(!(step.check && step.restatement), `${d.id}/${step.id}: a restatement is not shown as a check`);
    assert.ok(!/undefined|NaN/.test(step.latex), `${d.id}/${step.id} latex: ${step.latex}`);
    if (step.check) assert.ok(step.check.holds, `${d.id}/${step.id}: ${step.check.label} residual ${step.check.residual}`);
  }
}

const fitsTable = readNumericCsv(expected.fits.file);

/** log L of a fitted column summed over its distinct values, as the fit analysis sums it. */
function empiricalSum(values: Float64Array, fit: AnyFitResult) {
  const table = new EmpiricalDistributionState();
  table.consume({ values });
  return table.sum((x) => logDensity(fit, x))!;
}

describe('derivations carry the file numbers and their identities hold', () => {
  it('unconditional MLE, eqs (1)-(3), for each family with the fitted parameter', () => {
    const columns = ['bern', 'cat', 'gauss', 'pois', 'expo'].map((name) => fitsTable.get(name)!);
    const fits: AnyFitResult[] = [
      fitBernoulli(columns[0]!),
      fitCategorical(columns[1]!),
      fitGaussian(columns[2]!),
      fitPoisson(columns[3]!),
      fitExponential(columns[4]!),
    ];
    for (const [i, fit] of fits.entries()) {
      const d = unconditionalMleDerivation(fit, 'x', empiricalSum(columns[i]!, fit));
      assertWellFormed(d, ['(1)', '(2)', '(3)']);
      assert.ok(
        d.steps.some((s) => s.latex.includes(fit.logLikelihood.toPrecision(10).replace(/0+$/, ''))),
        `${fit.family}: log L shown`,
      );
    }
    const bern = unconditionalMleDerivation(fits[0]!, 'bern', empiricalSum(columns[0]!, fits[0]!));
    assert.ok(bern.steps[0]!.latex.includes(String(expected.fits.bernoulli.theta)), 'theta hat shown');
  });

  it('conditional MLE, eqs (4)-(9), including the -log p(x) step that leaves the argmin alone', () => {
    const cat = expected.categorical;
    const t = readNumericCsv(cat.file);
    const state = new CrossEntropyState(cat.k, { kind: 'logits' });
    state.consume({ labels: t.get('label')!, scores: matrix(t, 'z', cat.k) });
    const d = conditionalMleDerivation({
      n: state.likelihood.count,
      logLikelihood: state.logLikelihood,
      meanLoss: state.oneHotCrossEntropy,
      modelName: 'the logits',
    });
    assertWellFormed(d, ['(4)', '(5)', '(6)', '(7)', '(8)', '(9)']);
    assert.match(d.steps.find((s) => s.tag === '(7)')!.note, /argmin/);
  });

  it('binary: log L = -n BCE', () => {
    const b = readNumericCsv(expected.binary.file);
    const state = new BinaryCrossEntropyState({ input: 'probs' });
    state.consume({ labels: b.get('y')!, predictions: b.get('p')! });
    const d = binaryDerivation(state, 'y against p');
    assertWellFormed(d, []);
    assert.equal(d.steps.find((s) => s.id === 'identity')!.check!.lhs, state.logLikelihood);
  });

  it('regression: fixed sigma (argmin = MSE, sigma MLE) and predicted variance', () => {
    const reg = expected.regression;
    const r = readNumericCsv(reg.file);
    const chunk = { targets: matrix(r, 'y', reg.k), predictions: matrix(r, 'yhat', reg.k) };
    const squared = new SquaredErrorState(reg.k);
    squared.consume(chunk);
    const logDensities = new GaussianLogDensityState(reg.k, reg.sigma);
    logDensities.consume(chunk);
    assertWellFormed(fixedSigmaRegressionDerivation(squared, reg.sigma, logDensities.logLikelihood), []);
    const pv = new PredictedVarianceState(reg.k, { full: true });
    pv.consume({ ...chunk, variance: matrix(r, 'var', reg.k) });
    // The mean of the per-value losses is their sum over the count: nothing to check.
    assertWellFormed(predictedVarianceDerivation(pv), [], false);
  });

  it('entropy, cross-entropy and KL: H(p,q) = H(p) + KL(p||q)', () => {
    const soft = expected.soft;
    const t = readNumericCsv(soft.file);
    const state = new SoftTargetState(soft.k, { kind: 'logits' });
    state.consume({ targets: matrix(t, 't', soft.k), predictions: matrix(t, 'z', soft.k) });
    assertWellFormed(entropyKlDerivation(state), ['(1)', '(6)']);
  });

  it('why logs: 10^5 rows give 0 as a float64 product and mantissa x 10^exponent from the logs', () => {
    const logs = Float64Array.from({ length: expected.manyRows.rows }, (_, i) => Math.log((((i * 7919) % 9973) + 1) / 9974));
    const d = whyLogsDerivation(logs);
    assertWellFormed(d, ['(8)', '(9)', '(10)']);
    assert.match(d.steps[0]!.latex, new RegExp(`= 0.*row ${expected.manyRows.underflowRow + 1}`));
    assert.match(d.steps[2]!.latex, new RegExp(`10\\^\\{${expected.manyRows.exponent}\\}`));
  });

  it('a check fails when the numbers disagree (the checks are not tautologies)', () => {
    const d = conditionalMleDerivation({ n: 10, logLikelihood: -5, meanLoss: 0.6, modelName: 'm' });
    assert.equal(d.steps.find((s) => s.check)!.check!.holds, false);
  });
});
