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
import { fitBernoulli } from '../../../src/engine/fits/bernoulliFit';
import { fitExponential } from '../../../src/engine/fits/exponentialFit';
import { fitGaussian } from '../../../src/engine/fits/gaussianFit';
import { fitPoisson } from '../../../src/engine/fits/poissonFit';
import { fitCategorical } from '../../../src/engine/fits/categoricalFit';
import { PredictedVarianceState, SquaredErrorState } from '../../../src/engine/regression';
import { SoftTargetState } from '../../../src/engine/softTargets';
import { expected, matrix, readNumericCsv } from './engineFixtures';

function assertWellFormed(d: Derivation, tags: string[]): void {
  assert.deepEqual(d.steps.filter((s) => s.tag).map((s) => s.tag), tags, `${d.id} tags`);
  assert.ok(d.steps.some((s) => s.check), `${d.id} has at least one numeric check`);
  for (const step of d.steps) {
    assert.ok(step.latex.length > 0 && step.note.length > 0, `${d.id}/${step.id}`);
    assert.ok(!/undefined|NaN/.test(step.latex), `${d.id}/${step.id} latex: ${step.latex}`);
    if (step.check) assert.ok(step.check.holds, `${d.id}/${step.id}: ${step.check.label} residual ${step.check.residual}`);
  }
}

const fitsTable = readNumericCsv(expected.fits.file);

describe('derivations carry the file numbers and their identities hold', () => {
  it('unconditional MLE, eqs (1)-(3), for each family with the fitted parameter', () => {
    const fits = [fitBernoulli(fitsTable.get('bern')!), fitCategorical(fitsTable.get('cat')!), fitGaussian(fitsTable.get('gauss')!), fitPoisson(fitsTable.get('pois')!), fitExponential(fitsTable.get('expo')!)];
    for (const fit of fits) {
      const d = unconditionalMleDerivation(fit, 'x');
      assertWellFormed(d, ['(1)', '(2)', '(3)']);
      assert.ok(d.steps.some((s) => s.latex.includes(fit.logLikelihood.toPrecision(10).replace(/0+$/, ''))), `${fit.family}: log L shown`);
    }
    const bern = unconditionalMleDerivation(fits[0]!, 'bern');
    assert.ok(bern.steps[0]!.latex.includes(String(expected.fits.bernoulli.theta)), 'theta hat shown');
  });

  it('conditional MLE, eqs (4)-(9), including the -log p(x) step that leaves the argmin alone', () => {
    const cat = expected.categorical;
    const t = readNumericCsv(cat.file);
    const state = new CrossEntropyState(cat.k, { kind: 'logits' });
    state.consume({ labels: t.get('label')!, scores: matrix(t, 'z', cat.k) });
    const d = conditionalMleDerivation({ n: state.likelihood.count, logLikelihood: state.logLikelihood, meanLoss: state.mean, modelName: 'the logits' });
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
    const squared = new SquaredErrorState(reg.k);
    squared.consume({ targets: matrix(r, 'y', reg.k), predictions: matrix(r, 'yhat', reg.k) });
    assertWellFormed(fixedSigmaRegressionDerivation(squared, reg.sigma), []);
    const pv = new PredictedVarianceState(reg.k, { full: true });
    pv.consume({ targets: matrix(r, 'y', reg.k), predictions: matrix(r, 'yhat', reg.k), variance: matrix(r, 'var', reg.k) });
    assertWellFormed(predictedVarianceDerivation(pv), []);
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
