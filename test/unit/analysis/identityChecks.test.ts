// Every identity a derivation checks compares two routes, each with its own sum: on the engine
// fixtures each side matches its own NumPy/SciPy/PyTorch reference (test/fixtures/gen/gen_checks.py),
// and a slip in either route alone makes the check fail.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSource } from '../../../src/analysis/sources/analyzeSource';
import { analyzeCategorical, inMemoryBatches } from '../../../src/analysis/tasks/categorical/analyze';
import type { ReducedBatch } from '../../../src/analysis/rows/rowBatch';
import { FitPass, logDensity } from '../../../src/analysis/tasks/fit/pass';
import type { Analysis, AnalysisOptions, ClassificationAnalysis } from '../../../src/analysis/results';
import { BinaryCrossEntropyState } from '../../../src/engine/binary';
import type { PredictionKind } from '../../../src/engine/categorical';
import { scoreBlock, type CategoricalBlock } from '../../../src/engine/categoricalBlock';
import type { CompensatedSum } from '../../../src/engine/compensatedSum';
import type { CrossEntropyOptions } from '../../../src/engine/crossEntropyLoss';
import type { Derivation, IdentityCheck } from '../../../src/engine/derivation';
import { binaryDerivation } from '../../../src/engine/derivations/binary';
import { entropyKlDerivation } from '../../../src/engine/derivations/entropyKl';
import { predictionEntropyDerivation } from '../../../src/engine/derivations/predictionEntropy';
import { fixedSigmaRegressionDerivation } from '../../../src/engine/derivations/regression';
import { unconditionalMleDerivation } from '../../../src/engine/derivations/unconditionalMle';
import { EmpiricalDistributionState, MAX_DISTINCT_VALUES } from '../../../src/engine/fits/empiricalDistribution';
import type { PoissonFitState } from '../../../src/engine/fits/poissonFit';
import { GaussianLogDensityState } from '../../../src/engine/gaussianLogDensity';
import { SquaredErrorState } from '../../../src/engine/regression';
import { scoreRows } from '../../../src/engine/rowScores';
import { SoftTargetState } from '../../../src/engine/softTargets';
import { readJson } from '../../helpers/fixtures';
import { assertRelative, chunkBounds, engineFixture, expected, matrix, readNumericCsv } from '../engine/engineFixtures';

const checks: any = readJson(engineFixture('checks.json'));
/** Each side against its own reference: float64 sums in another order than math.fsum. */
const REFERENCE = 1e-13;

function checkOf(derivation: Derivation, stepId: string): IdentityCheck {
  const check = derivation.steps.find((step) => step.id === stepId)?.check;
  assert.ok(check, `${derivation.id}/${stepId} has a check`);
  return check;
}

function derivation(analysis: Analysis, id: string): Derivation {
  const found = analysis.derivations.find((d) => d.id === id || d.id.startsWith(`${id}-`));
  assert.ok(found, `a derivation ${id}`);
  return found;
}

describe('log L = -n x CE: the picked log-probabilities against the one-hot cross-entropy over every class', () => {
  const cat = checks.categorical;
  const table = readNumericCsv(cat.file);
  const prefixes: Record<PredictionKind, string> = { logits: 'z', probs: 'p', logprobs: 'lp' };

  /**
   * analyzeCategorical on the fixture with every row scored in uneven blocks, as the scoring
   * threads hand them over; `slip` alters a block before the pass merges it.
   */
  async function analyzeInBlocks(
    kind: PredictionKind,
    labelColumn: string,
    slip?: (block: CategoricalBlock, index: number) => void,
  ): Promise<ClassificationAnalysis> {
    const labels = table.get(labelColumn)!;
    const scores = matrix(table, prefixes[kind], cat.k);
    const k = cat.k as number;
    async function* reducedRows(options: CrossEntropyOptions): AsyncGenerator<ReducedBatch> {
      for (const [index, [from, to]] of chunkBounds(labels.length, [37, 64, 5]).entries()) {
        const block = scoreBlock(k, options, labels.subarray(from, to), scores.values.subarray(from * k, to * k), to - from, from);
        slip?.(block, index);
        yield { labels: labels.subarray(from, to), firstRow: from, block };
      }
    }
    const predictionNames = Array.from({ length: k }, (_, j) => `${prefixes[kind]}${j}`);
    return analyzeCategorical(
      {
        fileName: cat.file,
        format: 'csv',
        k,
        batches: inMemoryBatches(labels, scores),
        targetName: labelColumn,
        predictionNames,
        choices: [],
        rolesReason: 'named in the test',
        rowName: (row) => `row ${row}`,
        reducedRows,
      },
      { kind },
    );
  }

  for (const kind of ['logits', 'probs', 'logprobs'] as const) {
    for (const labelColumn of ['label', 'label_ignored']) {
      it(`each side matches its NumPy route and they agree (${kind}, ${labelColumn})`, async () => {
        const want = cat[labelColumn][kind];
        const analysis = await analyzeInBlocks(kind, labelColumn);
        assert.equal(analysis.summary.n, cat[labelColumn].n);
        const identity = checkOf(derivation(analysis, 'classification'), 'identity');
        assertRelative(identity.lhs, want.logLikelihood, REFERENCE, 'log L from the picked terms');
        assertRelative(identity.rhs, -want.oneHotCrossEntropySum, REFERENCE, '-n CE over every class');
        assert.ok(identity.holds && identity.residual <= 1e-12, `residual ${identity.residual}`);
        // (6) of the conditional derivation: the training loss is the one-hot route too.
        const objective = checkOf(derivation(analysis, 'conditional-mle'), 'dl-objective');
        assertRelative(objective.rhs, -want.oneHotCrossEntropySum, REFERENCE, '(6)');
        assert.ok(objective.holds);
      });
    }
  }

  it('fails when the picked log-probabilities slip, the cross-entropy route being right', async () => {
    const analysis = await analyzeInBlocks('logits', 'label', (block, index) => {
      if (index === 2) (block.crossEntropy.likelihood.total as CompensatedSum).add(1e-3);
    });
    assert.equal(checkOf(derivation(analysis, 'classification'), 'identity').holds, false);
    assert.equal(checkOf(derivation(analysis, 'conditional-mle'), 'dl-objective').holds, false);
  });

  it('fails when the one-hot route slips, the log-likelihood being right', async () => {
    const analysis = await analyzeInBlocks('probs', 'label_ignored', (block, index) => {
      if (index === 0) (block.crossEntropy.oneHot as CompensatedSum).add(1e-3);
    });
    const identity = checkOf(derivation(analysis, 'classification'), 'identity');
    assertRelative(identity.lhs, cat.label_ignored.probs.logLikelihood, REFERENCE, 'log L untouched');
    assert.equal(identity.holds, false);
    assert.equal(checkOf(derivation(analysis, 'conditional-mle'), 'dl-objective').holds, false);
  });

  it('the one-hot route puts no weight on classes other than the label, even at q = 0 (0 log 0 = 0)', () => {
    const probs = scoreRows([1, 0], Float64Array.from([0, 1, 0.25, 0.75]), 2, 2, 0, { kind: 'probs', ignoreIndex: -100 });
    assert.equal(probs.oneHotCrossEntropy.value, -Math.log(0.25));
    const logits = scoreRows([1, 0], Float64Array.from([-Infinity, 2, 0, 0]), 2, 2, 0, { kind: 'logits', ignoreIndex: -100 });
    assert.equal(logits.oneHotCrossEntropy.value, Math.log(2));
  });

  it('the label fit of a classifier says its cross-entropy step restates the average NLL', async () => {
    const analysis = await analyzeInBlocks('logits', 'label');
    const step = derivation(analysis, 'unconditional-mle').steps.find((s) => s.id === 'cross-entropy')!;
    assert.equal(step.check, undefined);
    assert.match(step.restatement!, /average NLL/);
  });
});

describe('log L = -n BCE: both Bernoulli terms of every row against the picked -log', () => {
  const bin = expected.binary;
  const t = readNumericCsv(bin.file);
  const cases = [
    { input: 'probs' as const, column: 'p', logLikelihood: bin.scipyLogLikelihood, bce: bin.exactBceMean },
    { input: 'logits' as const, column: 'z', logLikelihood: bin.logitLogLikelihood, bce: bin.withLogits.mean },
  ];
  for (const { input, column, logLikelihood, bce } of cases) {
    it(`each side matches SciPy / PyTorch and they agree (${input})`, () => {
      const state = new BinaryCrossEntropyState({ input });
      for (const [from, to] of chunkBounds(bin.n, [41, 100]))
        state.consume({ labels: t.get('y')!.subarray(from, to), predictions: t.get(column)!.subarray(from, to), firstRow: from });
      const identity = checkOf(binaryDerivation(state, 'y against p'), 'identity');
      assertRelative(identity.lhs, logLikelihood, 1e-12, 'log L');
      assertRelative(identity.rhs, -bin.n * bce, 1e-12, '-n BCE');
      assert.ok(identity.holds && identity.residual <= 1e-12);
    });

    it(`fails when either side slips (${input})`, () => {
      for (const slip of [(s: BinaryCrossEntropyState) => s.exact.total.add(1e-3), (s: BinaryCrossEntropyState) => s.logLikelihoodSum.add(1e-3)]) {
        const state = new BinaryCrossEntropyState({ input });
        state.consume({ labels: t.get('y')!, predictions: t.get(column)! });
        slip(state);
        assert.equal(checkOf(binaryDerivation(state, 'y against p'), 'identity').holds, false);
      }
    });
  }
});

describe('regression: the Gaussian log-density summed value by value against the closed form from the SSE', () => {
  const reg = checks.regression;
  const r = readNumericCsv(reg.file);
  const k = expected.regression.k as number;
  const chunk = { targets: matrix(r, 'y', k), predictions: matrix(r, 'yhat', k) };

  it('each side matches scipy.stats.norm.logpdf / the SSE, and they agree', async () => {
    const analysis = await analyzeSource({ kind: 'path', path: engineFixture(reg.file) }, { sigma: reg.sigma });
    const check = checkOf(derivation(analysis, 'regression-fixed-sigma'), 'gaussian-nll');
    assertRelative(check.lhs, -reg.logDensitySum, REFERENCE, 'summed log-density');
    assertRelative(check.rhs, -reg.closedForm, REFERENCE, 'closed form');
    assert.ok(check.holds && check.residual <= 1e-12);
    const restated = derivation(analysis, 'regression-fixed-sigma').steps.find((step) => step.id === 'argmin-mse')!;
    assert.equal(restated.check, undefined, 'NLL = const + n k MSE / (2 sigma^2) is the same number: no check');
  });

  it('fails when the sum of squared errors slips, or the summed log-density does', () => {
    const slips = [
      (squared: SquaredErrorState) => squared.sse.add(1e-3),
      (_: SquaredErrorState, densities: GaussianLogDensityState) => densities.total.add(1e-3),
    ];
    for (const slip of slips) {
      const squared = new SquaredErrorState(k);
      squared.consume(chunk);
      const densities = new GaussianLogDensityState(k, reg.sigma);
      densities.consume(chunk);
      slip(squared, densities);
      const d = fixedSigmaRegressionDerivation(squared, reg.sigma, densities.logLikelihood);
      assert.equal(checkOf(d, 'gaussian-nll').holds, false);
    }
  });
});

describe('unconditional fits: the sum over rows against the sum over distinct values of count x log q', () => {
  const fits = checks.fits;
  const columns: Record<string, string> = { bernoulli: 'bern', categorical: 'cat', gaussian: 'gauss', poisson: 'pois', exponential: 'expo' };
  for (const [dist, column] of Object.entries(columns)) {
    it(`each side matches SciPy's and they agree (${dist})`, async () => {
      const options: AnalysisOptions = { task: 'fit', target: column, dist: dist as NonNullable<AnalysisOptions['dist']> };
      const analysis = await analyzeSource({ kind: 'path', path: engineFixture(fits.file) }, options);
      const step = derivation(analysis, 'unconditional-mle').steps.find((s) => s.id === 'cross-entropy')!;
      assert.ok(step.check, 'a check');
      assertRelative(step.check.lhs, fits[dist].rows, 1e-12, 'over rows');
      assertRelative(step.check.rhs, fits[dist].distinctValues, 1e-12, 'over distinct values');
      assert.ok(step.check.holds && step.check.residual <= 1e-12, `residual ${step.check.residual}`);
      assert.match(step.note, new RegExp(`over the ${fits[dist].distinct} distinct values`));
    });
  }

  const pois = readNumericCsv(fits.file).get('pois')!;
  function poissonPass(): FitPass {
    const pass = new FitPass('poisson', false);
    for (const [from, to] of chunkBounds(pois.length, [77, 200])) pass.push({ rows: to - from, firstRow: from, values: pois.subarray(from, to) });
    return pass;
  }
  const crossEntropyCheck = (pass: FitPass) => {
    const fit = pass.fit();
    return checkOf(
      unconditionalMleDerivation(
        fit,
        'pois',
        pass.empirical.sum((x) => logDensity(fit, x))!,
      ),
      'cross-entropy',
    );
  };

  it('fails when the fit\u2019s statistics slip, or the table of distinct values does', () => {
    assert.ok(crossEntropyCheck(poissonPass()).holds);
    const statistics = poissonPass();
    (statistics.state as PoissonFitState).remainder.add(1e-3);
    assert.equal(crossEntropyCheck(statistics).holds, false);
    const counted = poissonPass();
    counted.empirical.consume({ values: pois.subarray(0, 1) });
    assert.equal(crossEntropyCheck(counted).holds, false);
  });

  it('past MAX_DISTINCT_VALUES the table is dropped and step (3) is a restatement, not a check', () => {
    const values = Float64Array.from({ length: MAX_DISTINCT_VALUES + 1 }, (_, i) => i / 7);
    const whole = new EmpiricalDistributionState();
    whole.consume({ values: values.subarray(0, MAX_DISTINCT_VALUES) });
    assert.equal(whole.distinct, MAX_DISTINCT_VALUES);
    const rest = new EmpiricalDistributionState();
    rest.consume({ values: values.subarray(MAX_DISTINCT_VALUES) });
    whole.merge(rest);
    assert.equal(whole.dropped, true);
    assert.equal(whole.n, values.length);
    assert.equal(
      whole.sum(() => 0),
      undefined,
    );
    const fit = new FitPass('gaussian', false);
    fit.push({ rows: values.length, firstRow: 0, values });
    const step = unconditionalMleDerivation(fit.fit(), 'x', 'too many distinct values').steps.find((s) => s.id === 'cross-entropy')!;
    assert.equal(step.check, undefined);
    assert.ok(step.restatement);
  });

  it('merging tables counts each value once per row, as one pass does', () => {
    const sorted = (table: EmpiricalDistributionState) => [...table.entries()].sort((a, b) => a[0] - b[0]);
    const gauss = readNumericCsv(fits.file).get('gauss')!;
    for (const [values, distinct] of [
      [pois, fits.poisson.distinct],
      [gauss, fits.gaussian.distinct],
    ] as const) {
      const one = new EmpiricalDistributionState();
      one.consume({ values });
      const halves = [new EmpiricalDistributionState(), new EmpiricalDistributionState()];
      halves[0]!.consume({ values: values.subarray(0, 123) });
      halves[1]!.consume({ values: values.subarray(123) });
      halves[0]!.merge(halves[1]!);
      assert.deepEqual(sorted(halves[0]!), sorted(one));
      assert.equal(one.distinct, distinct);
      assert.equal(halves[0]!.distinct, distinct);
    }
  });
});

describe('H(p, q) = H(p) + KL(p || q) and the entropy bound can fail too', () => {
  const soft = expected.soft;
  const t = readNumericCsv(soft.file);

  it('the three sums are their own: a slip in any one fails the identity', () => {
    const fresh = () => {
      const state = new SoftTargetState(soft.k, { kind: 'logits' });
      state.consume({ targets: matrix(t, 't', soft.k), predictions: matrix(t, 'z', soft.k) });
      return state;
    };
    assert.ok(checkOf(entropyKlDerivation(fresh()), 'identity').holds);
    for (const sum of ['crossEntropySum', 'entropySum', 'klSum'] as const) {
      const state = fresh();
      state[sum].add(1e-3);
      assert.equal(checkOf(entropyKlDerivation(state), 'identity').holds, false, sum);
    }
  });

  it('a mean entropy above log K, or below 0, fails the bound', () => {
    const { mean } = expected.predictionEntropy;
    const k = expected.categorical.k as number;
    assert.ok(checkOf(predictionEntropyDerivation(200, k, mean), 'bound').holds);
    assert.equal(checkOf(predictionEntropyDerivation(200, k, Math.log(k) * (1 + 1e-6)), 'bound').holds, false);
    assert.equal(checkOf(predictionEntropyDerivation(200, k, -1e-6), 'bound').holds, false);
  });
});
