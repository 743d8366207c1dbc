// The CLI's soft, regression and fit reports (dist/cli.js --json) against the engine fixtures.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../helpers/fixtures';
import { assertAllRelative, assertRelative, engineFixture, expected } from '../engine/engineFixtures';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');
const TOLERANCE = 1e-9;

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function report(file: string, ...args: string[]) {
  const { code, stdout, stderr } = run(engineFixture(file), ...args, '--json');
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout);
}

const { soft, regression: reg, fits } = expected;

describe('likelihood-lens CLI: soft, regression and fit', () => {
  it('soft targets: crossEntropy, entropy, kl and both sides of the identity', () => {
    const r = report('soft.csv', '--task', 'soft');
    assert.equal(r.task, 'soft');
    assert.equal(r.unit, 'nats');
    assertRelative(r.crossEntropy, soft.torchCrossEntropy, TOLERANCE, 'crossEntropy');
    assertRelative(r.entropy, soft.entropyMean, TOLERANCE, 'entropy');
    assertRelative(r.kl, soft.klBatchmean, TOLERANCE, 'kl');
    assertRelative(r.identity.lhs, r.identity.rhs, 1e-12, 'H(p,q) = H(p) + KL');
    assert.equal(r.identity.holds, true);
  });

  it('--reduction sum and none, --log-base 2 and 10', () => {
    const sum = report('soft.csv', '--reduction', 'sum');
    assertRelative(sum.kl, soft.klBatchmean * soft.n, TOLERANCE, 'kl sum');
    const none = report('soft.csv', '--reduction', 'none');
    assertAllRelative(none.entropy, soft.entropyRows, TOLERANCE, 'entropy rows');
    assertAllRelative(none.kl, soft.klRows, TOLERANCE, 'kl rows');
    const bits = report('soft.csv', '--log-base', '2');
    assert.equal(bits.unit, 'bits');
    assertRelative(bits.entropy, soft.entropyMean / Math.LN2, TOLERANCE, 'entropy in bits');
    assertRelative(bits.logLikelihood, (-soft.n * soft.torchCrossEntropy) / Math.LN2, TOLERANCE, 'log-likelihood in bits');
    const digits = report('soft.csv', '--log-base', '10');
    assert.equal(digits.unit, 'digits');
    assertRelative(digits.crossEntropy, soft.torchCrossEntropy / Math.LN10, TOLERANCE, 'cross-entropy in digits');
    assertRelative(digits.log10Likelihood, digits.logLikelihood, 1e-12, 'log10 likelihood is the log-likelihood in digits');
  });

  it('regression: mse, gaussianNll, sigmaMle, logLikelihood', () => {
    const r = report('regression.csv', '--sigma', String(reg.sigma));
    assert.equal(r.task, 'regression');
    assertRelative(r.mse, reg.mseLoss, TOLERANCE, 'mse');
    assertRelative(r.gaussianNll, reg.gaussianNllSum / reg.n, TOLERANCE, 'gaussianNll per row');
    assertRelative(r.logLikelihood, -reg.gaussianNllSum, TOLERANCE, 'logLikelihood');
    assertRelative(r.log10Likelihood, -reg.gaussianNllSum / Math.LN10, TOLERANCE, 'log10Likelihood');
    assertRelative(r.sigmaMle, reg.sigmaMle, TOLERANCE, 'sigmaMle');
    assertRelative(r.logLikelihoodAtSigmaMle, reg.logLikelihoodAtSigmaMle, TOLERANCE, 'logLikelihoodAtSigmaMle');
    const sum = report('regression.csv', '--sigma', String(reg.sigma), '--reduction', 'sum');
    assertRelative(sum.mse, reg.mseLossSum, TOLERANCE, 'mse sum');
    assertRelative(sum.gaussianNll, reg.gaussianNllSum, TOLERANCE, 'gaussianNll sum');
    const none = report('regression.csv', '--sigma', String(reg.sigma), '--reduction', 'none');
    assertAllRelative(none.gaussianNll, reg.gaussianNllRows, TOLERANCE, 'gaussianNll rows');
  });

  it('regression with --var, --full and --eps: F.gaussian_nll_loss', () => {
    const g = reg.gaussianNllLoss;
    const vars = 'var0,var1,var2';
    assertRelative(report('regression.csv', '--var', vars).gaussianNllLoss, g['full=false,eps=1e-6,mean'], TOLERANCE, 'default');
    assertRelative(
      report('regression.csv', '--var', vars, '--full', '--eps', '1e-3').gaussianNllLoss,
      g['full=true,eps=1e-3,mean'],
      TOLERANCE,
      'full, eps 1e-3',
    );
    assertRelative(
      report('regression.csv', '--var', vars, '--eps', '1e-3', '--reduction', 'sum').gaussianNllLoss,
      g['full=false,eps=1e-3,sum'],
      TOLERANCE,
      'sum',
    );
    assertAllRelative(report('regression.csv', '--var', vars, '--full', '--reduction', 'none').gaussianNllLoss, reg.gaussianNllLossNoneFull, TOLERANCE, 'none');
    assertRelative(report('regression.csv', '--var', 'vrow', '--full').gaussianNllLoss, reg.gaussianNllLossRowVarFull, TOLERANCE, 'one variance per row');
  });

  const fitCases: [string, string, string, Record<string, number | number[]>][] = [
    ['bern', 'bernoulli', 'bernoulli', { theta: fits.bernoulli.theta }],
    ['cat', 'categorical', 'categorical', { probabilities: fits.categorical.probabilities }],
    ['gauss', 'gaussian', 'gaussian', { mu: fits.gaussian.mu, sigma: fits.gaussian.sigma }],
    ['pois_big', 'poisson', 'poissonBig', { lambda: fits.poissonBig.lambda }],
    ['expo', 'exponential', 'exponential', { lambda: fits.exponential.lambda }],
  ];
  for (const [column, dist, key, estimates] of fitCases) {
    it(`--task fit --dist ${dist}: estimates, logLikelihood and the average NLL`, () => {
      const r = report('fits.csv', '--task', 'fit', '--target', column, '--dist', dist);
      assert.equal(r.dist, dist);
      for (const [name, want] of Object.entries(estimates)) {
        if (Array.isArray(want)) assertAllRelative(r[name], want, TOLERANCE, name);
        else assertRelative(r[name], want, TOLERANCE, name);
      }
      assertRelative(r.logLikelihood, fits[key].logLikelihood, TOLERANCE, 'logLikelihood');
      assertRelative(r.crossEntropy, -fits[key].logLikelihood / fits.n, TOLERANCE, 'average NLL');
    });
  }

  it('prints a readable fit report with its unit', () => {
    const { code, stdout } = run(engineFixture('fits.csv'), '--task', 'fit', '--target', 'bern', '--log-base', '2');
    assert.equal(code, 0);
    assert.match(stdout, /^fits\.csv \(csv, 500 rows, bernoulli fit of bern\)$/m);
    assert.match(stdout, /average NLL +[\d.]+ bits/);
  });

  const bad: [string[], RegExp, number][] = [
    [
      [engineFixture('soft.csv'), '--task', 'ranking'],
      /^likelihood-lens: --task must be one of categorical, binary, soft, regression, fit, entropy, lm\nusage: /,
      2,
    ],
    [
      [engineFixture('fits.csv'), '--dist', 'cauchy'],
      /^likelihood-lens: --dist must be one of bernoulli, categorical, gaussian, poisson, exponential\nusage: /,
      2,
    ],
    [[engineFixture('regression.csv'), '--sigma', '0'], /^likelihood-lens: --sigma must be > 0\nusage: /, 2],
    [[engineFixture('soft.csv'), '--reduction', 'avg'], /^likelihood-lens: --reduction must be one of mean, sum, none\nusage: /, 2],
    [[engineFixture('soft.csv'), '--log-base', '3'], /^likelihood-lens: --log-base must be one of e, 2, 10\nusage: /, 2],
    [
      [engineFixture('fits.csv'), '--task', 'fit', '--target', 'gauss', '--dist', 'bernoulli'],
      /^likelihood-lens: fits\.csv: line 2: 9992\.310164605582 is not 0 or 1 \(Bernoulli\)\n$/,
      1,
    ],
    [
      [engineFixture('fits.csv'), '--task', 'fit', '--target', 'nope'],
      /^likelihood-lens: fits\.csv: no column named 'nope' \(numeric columns: bern, cat, gauss, pois, pois_big, expo\)\n$/,
      1,
    ],
    [
      [engineFixture('regression.csv'), '--var', 'y0,y1'],
      /^likelihood-lens: regression\.csv: 2 variance columns for 3 outputs: give one per output or one for the row\n$/,
      1,
    ],
  ];
  for (const [args, message, exitCode] of bad) {
    it(`exits ${exitCode} with one line for ${args.map((a) => a.split('/').pop()).join(' ')}`, () => {
      const { code, stdout, stderr } = run(...args);
      assert.equal(code, exitCode);
      assert.equal(stdout, '');
      assert.match(stderr, message);
    });
  }
});
