import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitBernoulli, BernoulliFitState } from '../../../src/engine/fits/bernoulliFit';
import { fitCategorical } from '../../../src/engine/fits/categoricalFit';
import { fitExponential } from '../../../src/engine/fits/exponentialFit';
import { GaussianFitState, fitGaussian } from '../../../src/engine/fits/gaussianFit';
import type { FitResult } from '../../../src/engine/fits/likelihoodCurve';
import { PoissonFitState, fitPoisson } from '../../../src/engine/fits/poissonFit';
import { logFactorial } from '../../../src/engine/logFactorial';
import { RowError } from '../../../src/engine/rowError';
import { assertAllRelative, assertRelative, expected, readNumericCsv } from './engineFixtures';

const fits = expected.fits;
const table = readNumericCsv(fits.file);

function assertCurveMaximum(fit: FitResult<unknown>, mle: number): void {
  assert.ok(fit.curves[0]!.x.includes(mle), 'the MLE is a point of the first curve');
  for (const curve of fit.curves) {
    assert.ok(curve.x.length >= 200);
    const top = curve.logLikelihood.reduce((best, v, i) => (v > curve.logLikelihood[best]! ? i : best), 0);
    assert.equal(top, curve.maxIndex, `${curve.parameter}: the marked point is the highest`);
    assertRelative(curve.logLikelihood[curve.maxIndex]!, fit.logLikelihood, 1e-14, `${curve.parameter}: the curve at the MLE is log L`);
    for (let i = 1; i < curve.x.length; i++) assert.ok(curve.x[i]! > curve.x[i - 1]!, 'x increases');
  }
}

describe('unconditional MLE fits against scipy.stats', () => {
  it('Bernoulli: theta = mean, log L = sum bernoulli.logpmf, average NLL = -log L / n', () => {
    const fit = fitBernoulli(table.get('bern')!);
    assertRelative(fit.estimates.theta, fits.bernoulli.theta, 1e-15, 'theta');
    assertRelative(fit.logLikelihood, fits.bernoulli.logLikelihood, 1e-12, 'log L');
    assertRelative(fit.averageNll, -fits.bernoulli.logLikelihood / fits.n, 1e-12, 'avg NLL');
    const state = new BernoulliFitState();
    state.consume({ values: table.get('bern')! });
    assertRelative(state.logLikelihood(0.5), fits.bernoulli.at['0.5'], 1e-12, 'log L(0.5)');
    assertCurveMaximum(fit, fit.estimates.theta);
  });

  it('categorical: class frequencies and sum log pi_{x_i}', () => {
    const fit = fitCategorical(table.get('cat')!);
    assertAllRelative(fit.estimates.probabilities, fits.categorical.probabilities, 1e-15, 'pi');
    assertRelative(fit.logLikelihood, fits.categorical.logLikelihood, 1e-12, 'log L');
    assertCurveMaximum(fit, Math.max(...fit.estimates.probabilities));
  });

  it('Gaussian: mu and sigma (1/n) as scipy.stats.norm.fit, log L = sum norm.logpdf, with a mean of 1e4 that would cancel a sum of squares', () => {
    const fit = fitGaussian(table.get('gauss')!);
    assertRelative(fit.estimates.mu, fits.gaussian.mu, 1e-14, 'mu');
    assertRelative(fit.estimates.sigma, fits.gaussian.sigma, 1e-11, 'sigma');
    assertRelative(fit.logLikelihood, fits.gaussian.logLikelihood, 1e-12, 'log L');
    const state = new GaussianFitState();
    state.consume({ values: table.get('gauss')! });
    assertRelative(state.logLikelihood(10000.5, 2.5), fits.gaussian.at['mu=10000.5,sigma=2.5'], 1e-11, 'log L elsewhere');
    assertCurveMaximum(fit, fit.estimates.mu);
  });

  for (const [name, column] of [
    ['poisson', 'pois'],
    ['poissonBig', 'pois_big'],
  ] as const) {
    it(`Poisson (${column}): lambda = mean, log L = sum poisson.logpmf (log x! from the sufficient statistic)`, () => {
      const fit = fitPoisson(table.get(column)!);
      assertRelative(fit.estimates.lambda, fits[name].lambda, 1e-15, 'lambda');
      assertRelative(fit.logLikelihood, fits[name].logLikelihood, 1e-10, 'log L');
      const state = new PoissonFitState();
      state.consume({ values: table.get(column)! });
      assertRelative(state.logLikelihood(3), fits[name].at['3'], 1e-12, 'log L(3)');
      assertCurveMaximum(fit, fit.estimates.lambda);
    });
  }

  it('exponential: lambda = 1 / mean (scipy expon.fit(floc=0) reports scale = 1 / lambda), log L = sum expon.logpdf', () => {
    const fit = fitExponential(table.get('expo')!);
    assertRelative(fit.estimates.lambda, fits.exponential.lambda, 1e-14, 'lambda');
    assertRelative(fit.logLikelihood, fits.exponential.logLikelihood, 1e-12, 'log L');
    assertCurveMaximum(fit, fit.estimates.lambda);
  });

  it('log x! is exact across the table / Stirling boundary', () => {
    let direct = 0;
    for (let m = 2; m <= 3000; m++) {
      direct += Math.log(m);
      if (m === 1023 || m === 1024 || m === 3000) assertRelative(logFactorial(m), direct, 1e-13, `log ${m}!`);
    }
    assert.equal(logFactorial(0), 0);
    assert.equal(logFactorial(1), 0);
  });

  it('a curve over 200 points for 10^6 rows costs O(grid): evaluating it does not touch the rows', () => {
    const values = new Float64Array(1_000_000);
    for (let i = 0; i < values.length; i++) values[i] = (i * 7) % 13;
    const state = new PoissonFitState();
    state.consume({ values });
    const started = performance.now();
    for (let r = 0; r < 100; r++) state.fit(200);
    // 100 fits of 200 points: O(grid) each; an O(n grid) fit would take minutes.
    assert.ok(performance.now() - started < 500);
  });

  it('validates: Poisson needs non-negative integers, Bernoulli 0/1, exponential x >= 0, each naming the row', () => {
    assert.throws(
      () => fitPoisson([1, 2, 2.5]),
      (e: unknown) => e instanceof RowError && e.row === 2 && /non-negative integers/.test(e.reason),
    );
    assert.throws(
      () => fitPoisson([-1]),
      (e: unknown) => e instanceof RowError && e.row === 0,
    );
    assert.throws(
      () => fitBernoulli([0, 1, 2]),
      (e: unknown) => e instanceof RowError && e.row === 2,
    );
    assert.throws(
      () => fitExponential([1, -0.5]),
      (e: unknown) => e instanceof RowError && e.row === 1,
    );
    assert.throws(
      () => fitGaussian([1, Number.NaN]),
      (e: unknown) => e instanceof RowError && e.row === 1,
    );
    assert.throws(
      () => fitCategorical([0, 1.5]),
      (e: unknown) => e instanceof RowError && e.row === 1,
    );
  });

  it('boundary MLEs keep a finite log-likelihood (0 log 0 = 0)', () => {
    assert.equal(fitBernoulli([1, 1, 1]).logLikelihood, 0);
    assert.equal(fitPoisson([0, 0]).logLikelihood, 0);
  });
});
