// Soft-target, regression and fit analyses through the analysis layer, against the values
// PyTorch and SciPy give for the committed engine fixtures (test/fixtures/gen/gen_engine.py).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSource } from '../../../../src/analysis/sources/analyzeSource';
import { analyzeRowTask } from '../../../../src/analysis/tasks/analyzeRowTask';
import { rowBatches } from '../../../../src/analysis/rows/rowBatch';
import type { RowTaskRoles } from '../../../../src/roles/chosenRoles';
import type { Analysis, AnalysisOptions, FitAnalysis, RegressionAnalysis, SoftAnalysis } from '../../../../src/analysis/results';
import { assertAllRelative, assertRelative, engineFixture, expected, readNumericCsv } from '../../engine/engineFixtures';
import { fixturePath } from '../../../helpers/fixtures';

const TOLERANCE = 1e-9;

async function analyze<T extends Analysis['task']>(file: string, task: T, options: AnalysisOptions = {}): Promise<Extract<Analysis, { task: T }>> {
  const analysis = await analyzeSource({ kind: 'path', path: engineFixture(file) }, options);
  assert.equal(analysis.task, task);
  return analysis as Extract<Analysis, { task: T }>;
}

const soft = expected.soft;
const reg = expected.regression;
const fits = expected.fits;

describe('soft targets: H(p,q), H(p), KL(p||q)', () => {
  it('detects soft targets and matches F.cross_entropy, scipy entropy and F.kl_div', async () => {
    const analysis: SoftAnalysis = await analyze('soft.csv', 'soft', { keepRowLosses: true });
    assert.deepEqual(analysis.roles.targets, ['t0', 't1', 't2', 't3']);
    assert.equal(analysis.roles.kind, 'logits');
    assert.equal(analysis.summary.n, soft.n);
    assertRelative(analysis.summary.crossEntropy, soft.torchCrossEntropy, TOLERANCE, 'H(p,q)');
    assertRelative(analysis.summary.entropy, soft.entropyMean, TOLERANCE, 'H(p)');
    assertRelative(analysis.summary.kl, soft.klBatchmean, TOLERANCE, 'KL');
    assertAllRelative(analysis.summary.byClass.entropy, soft.entropyByClass, TOLERANCE, 'H(p) by class, scipy.special.entr');
    assertAllRelative(analysis.summary.byClass.kl, soft.klByClass, TOLERANCE, 'KL by class, scipy.special.rel_entr');
    assertRelative(-analysis.summary.logLikelihood, soft.n * soft.torchCrossEntropy, TOLERANCE, 'log-likelihood');
    const { identity } = analysis.summary;
    assert.ok(identity.holds);
    assertRelative(identity.lhs, soft.n * soft.torchCrossEntropy, TOLERANCE, 'identity, left side');
    assertRelative(identity.rhs, soft.n * (soft.entropyMean + soft.klBatchmean), TOLERANCE, 'identity, right side');
    assertAllRelative(analysis.rowLosses!.entropy!, soft.entropyRows, TOLERANCE, 'H(p_i)');
    assertAllRelative(analysis.rowLosses!.kl!, soft.klRows, TOLERANCE, 'KL(p_i||q_i)');
    assert.equal(analysis.plots.perSampleLoss.y.length, soft.n);
    assert.equal(analysis.derivations[0]!.id, 'entropy-kl');
    assert.ok(analysis.plots.worstRows[0]!.line! >= 2);
  });

  it('reads probability columns as probabilities', async () => {
    const analysis = await analyze('soft.csv', 'soft', { predictions: ['q0', 'q1', 'q2', 'q3'] });
    assert.equal(analysis.roles.kind, 'probs');
    assertRelative(analysis.summary.crossEntropy, soft.crossEntropyProbs, TOLERANCE, 'H(p,q) from q');
    assertRelative(analysis.summary.kl, soft.klProbsBatchmean, TOLERANCE, 'KL from q');
  });
});

describe('regression: MSE, Gaussian NLL, sigma MLE, gaussian_nll_loss', () => {
  it('detects the y/yhat columns and matches F.mse_loss and scipy.stats.norm', async () => {
    const analysis: RegressionAnalysis = await analyze('regression.csv', 'regression', { sigma: reg.sigma, keepRowLosses: true });
    assert.deepEqual(analysis.roles.predictions, ['yhat0', 'yhat1', 'yhat2']);
    const s = analysis.summary;
    assertRelative(s.mse, reg.mseLoss, TOLERANCE, 'MSE');
    assertRelative(s.sumSquaredError, reg.mseLossSum, TOLERANCE, 'SSE');
    assertRelative(s.gaussianNll, reg.gaussianNllSum, TOLERANCE, 'Gaussian NLL');
    assertRelative(s.logLikelihood, -reg.gaussianNllSum, TOLERANCE, 'log-likelihood at sigma');
    assertRelative(s.sigmaMle, reg.sigmaMle, TOLERANCE, 'sigma MLE');
    assertRelative(s.logLikelihoodAtSigmaMle, reg.logLikelihoodAtSigmaMle, TOLERANCE, 'log-likelihood at the sigma MLE');
    assertAllRelative(analysis.rowLosses!.gaussianNll!, reg.gaussianNllRows, TOLERANCE, 'per-row NLL');
    const curve = analysis.plots.parameterCurves[0]!;
    assert.equal(curve.x[curve.maxIndex], s.sigmaMle);
    assertRelative(curve.logLikelihood[curve.maxIndex]!, reg.logLikelihoodAtSigmaMle, TOLERANCE, 'curve maximum');
    assertRelative(curve.logLikelihood[curve.x.indexOf(reg.sigma)]!, -reg.gaussianNllSum, TOLERANCE, 'curve at the fixed sigma');
    assert.ok(curve.logLikelihood.every((v) => v <= curve.logLikelihood[curve.maxIndex]!));
    assert.deepEqual(
      analysis.derivations.map((d) => d.id),
      ['regression-fixed-sigma'],
    );
    assert.ok(analysis.derivations.every((d) => d.steps.every((step) => !step.check || step.check.holds)));
  });

  for (const [key, want] of Object.entries(reg.gaussianNllLoss as Record<string, number>)) {
    const [, full, eps, reduction] = /full=(\w+),eps=([\de.-]+),(\w+)/.exec(key)!;
    it(`F.gaussian_nll_loss(${key})`, async () => {
      const analysis = await analyze('regression.csv', 'regression', { variance: ['var0', 'var1', 'var2'], full: full === 'true', eps: Number(eps) });
      const v = analysis.summary.predictedVariance!;
      assertRelative(reduction === 'sum' ? v.sum : v.mean, want, TOLERANCE, key);
      assert.equal(analysis.derivations[1]!.id, 'regression-predicted-variance');
    });
  }

  it("gaussian_nll_loss per value (reduction='none') and with one variance per row", async () => {
    const perValue = await analyze('regression.csv', 'regression', { variance: ['var0', 'var1', 'var2'], full: true, keepRowLosses: true });
    assertAllRelative(perValue.rowLosses!.gaussianNllLoss!, reg.gaussianNllLossNoneFull, TOLERANCE, 'per value');
    const perRow = await analyze('regression.csv', 'regression', { variance: ['vrow'], full: true });
    assertRelative(perRow.summary.predictedVariance!.mean, reg.gaussianNllLossRowVarFull, TOLERANCE, 'row variance');
  });
});

describe('unconditional fits of one column', () => {
  const cases: [string, string, string, Record<string, number | number[]>][] = [
    ['bern', 'bernoulli', 'bernoulli', { theta: fits.bernoulli.theta }],
    ['cat', 'categorical', 'categorical', { probabilities: fits.categorical.probabilities }],
    ['gauss', 'gaussian', 'gaussian', { mu: fits.gaussian.mu, sigma: fits.gaussian.sigma }],
    ['pois', 'poisson', 'poisson', { lambda: fits.poisson.lambda }],
    ['pois_big', 'poisson', 'poissonBig', { lambda: fits.poissonBig.lambda }],
    ['expo', 'exponential', 'exponential', { lambda: fits.exponential.lambda }],
  ];
  for (const [column, dist, key, estimates] of cases) {
    it(`${column}: ${dist} MLE, log-likelihood and curve`, async () => {
      const analysis: FitAnalysis = await analyze('fits.csv', 'fit', { task: 'fit', target: column, dist: dist as FitAnalysis['summary']['dist'] });
      for (const [name, want] of Object.entries(estimates)) {
        const got = analysis.summary.estimates[name as keyof typeof analysis.summary.estimates]!;
        if (Array.isArray(want)) assertAllRelative(got as number[], want, TOLERANCE, name);
        else assertRelative(got as number, want, TOLERANCE, name);
      }
      assertRelative(analysis.summary.logLikelihood, fits[key].logLikelihood, TOLERANCE, 'log-likelihood');
      assertRelative(analysis.summary.crossEntropy, -fits[key].logLikelihood / fits.n, TOLERANCE, 'average NLL');
      for (const curve of analysis.plots.parameterCurves) {
        assertRelative(curve.logLikelihood[curve.maxIndex]!, fits[key].logLikelihood, TOLERANCE, `${curve.parameter} curve maximum`);
        assert.ok(
          curve.logLikelihood.every((v) => v <= curve.logLikelihood[curve.maxIndex]! * (1 - 1e-12)),
          `${curve.parameter}: the MLE is the highest point`,
        );
      }
      assert.equal(analysis.derivations[0]!.id, `unconditional-mle-${dist}`);
    });
  }

  it('detects the family from the values, and says why', async () => {
    const detected: Record<string, string> = { bern: 'bernoulli', cat: 'categorical', gauss: 'gaussian', pois_big: 'poisson' };
    for (const [column, dist] of Object.entries(detected)) {
      const analysis = await analyze('fits.csv', 'fit', { task: 'fit', target: column });
      assert.equal(analysis.summary.dist, dist, column);
      assert.ok(analysis.roles.distReason.length > 0);
    }
  });

  it("gives each row's NLL at the MLE for reduction='none'", async () => {
    const analysis = await analyze('fits.csv', 'fit', { task: 'fit', target: 'pois', dist: 'poisson', keepRowLosses: true });
    const rows = analysis.rowLosses!.nll!;
    assert.equal(rows.length, fits.n);
    assertRelative(-rows.reduce((a, b) => a + b, 0), fits.poisson.logLikelihood, TOLERANCE, 'sum of row NLLs');
  });
});

describe('the task passes in batches', () => {
  const table = (name: string) => readNumericCsv(name);
  const column = (t: Map<string, Float64Array>, name: string) => ({ n: t.get(name)!.length, k: 1, values: t.get(name)! });
  const roles = (task: RowTaskRoles['task'], targets: string[], predictions: string[], variance: string[] = []): RowTaskRoles => ({
    task,
    targets,
    predictions,
    variance,
    reason: 'test',
  });
  const run = (t: Map<string, Float64Array>, r: RowTaskRoles, size: number, options: AnalysisOptions) =>
    analyzeRowTask(
      {
        fileName: 'x.csv',
        format: 'csv',
        roles: r,
        batches: rowBatches(
          [...r.targets, ...r.predictions, ...r.variance].map((name) => column(t, name)),
          undefined,
          size,
        ),
        choices: [],
        rowName: (row) => `row ${row}`,
      },
      options,
    );
  const numbers = (analysis: Analysis) =>
    Object.entries(analysis.summary).flatMap(([name, value]) => (typeof value === 'number' ? [[name, value] as const] : []));

  const setups: [string, string, RowTaskRoles, AnalysisOptions][] = [
    ['soft', 'soft.csv', roles('soft', ['t0', 't1', 't2', 't3'], ['z0', 'z1', 'z2', 'z3']), {}],
    ['regression', 'regression.csv', roles('regression', ['y0', 'y1', 'y2'], ['yhat0', 'yhat1', 'yhat2'], ['var0', 'var1', 'var2']), { sigma: 0.7 }],
    ['fit', 'fits.csv', roles('fit', ['gauss'], []), { dist: 'gaussian' }],
  ];
  for (const [task, file, r, options] of setups) {
    it(`${task}: batches of 1, 7 and 64 rows give the single pass's numbers`, async () => {
      const t = table(file);
      const whole = await run(t, r, 1 << 20, options);
      for (const size of [1, 7, 64]) {
        const chunked = await run(t, r, size, options);
        for (const [name, value] of numbers(whole))
          assertRelative(chunked.summary[name as keyof typeof chunked.summary] as number, value, 1e-12, `${name} in batches of ${size}`);
      }
    });
  }
});

describe('task detection with the editor\u2019s defaults', () => {
  it('a sigma alone (the editor sends its setting with every request) leaves a classifier a classifier', async () => {
    const analysis = await analyzeSource({ kind: 'path', path: fixturePath('classifier', 'basic.csv') }, { sigma: 1 });
    assert.equal(analysis.task, 'categorical');
  });
});
