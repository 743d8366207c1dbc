import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSource } from '../../../../src/analysis/sources/analyzeSource';
import { analyzeTable } from '../../../../src/analysis/sources/table';
import { setKernelEnabled } from '../../../../src/engine/kernel/logSumExpKernel';
import { DataFileError } from '../../../../src/readers/errors';
import { assertClose, classification, fixturePath, readJson, readTableFile } from '../../../helpers/fixtures';

interface Expected {
  target: string;
  predictions: string[];
  kind: 'probs' | 'logits' | 'logprobs';
  n: number;
  classes: number;
  crossEntropy: number;
  logLikelihood: number;
  log10Likelihood: number;
  likelihoodMantissa: number;
  likelihoodExponent: number;
  perplexity: number;
  accuracy: number;
  perSampleLoss?: number[];
  sklearnLogLoss?: number;
  float64Product?: number;
  task?: string;
}

const expected = readJson<Record<string, Expected>>(fixturePath('classifier', 'expected.json'));
const analyze = async (name: string, options = {}) => classification(await analyzeSource({ kind: 'path', path: fixturePath('classifier', name) }, options));

describe('categorical cross-entropy against PyTorch and scikit-learn', () => {
  it('every fixture of logits gives the same numbers on the WebAssembly kernel as on the JavaScript loop, row by row', async () => {
    const logitFixtures = Object.keys(expected).filter((name) => expected[name]!.kind === 'logits');
    assert.ok(logitFixtures.length >= 2, `fixtures of logits: ${logitFixtures.join(', ')}`);
    for (const name of logitFixtures) {
      const fast = await analyze(name);
      setKernelEnabled(false);
      const slow = await analyze(name).finally(() => setKernelEnabled(true));
      for (const figure of ['crossEntropy', 'logLikelihood', 'perplexity', 'accuracy'] as const)
        assertClose(fast.summary[figure], slow.summary[figure], 1e-14, `${name}: ${figure}`);
      const [a, b] = [fast.plots.perSampleLoss.y, slow.plots.perSampleLoss.y];
      assert.equal(a.length, b.length);
      a.forEach((loss, i) => assertClose(loss!, b[i]!, 1e-14, `${name}: row ${i} loss`));
    }
  });

  for (const [name, want] of Object.entries(expected)) {
    it(`${name}: roles, kind and every number`, async () => {
      const analysis = await analyze(name);
      assert.equal(analysis.roles.target, want.target);
      assert.deepEqual(analysis.roles.predictions, want.predictions);
      assert.equal(analysis.roles.kind, want.kind);
      assert.equal(analysis.task, want.task ?? 'categorical');
      assert.equal(analysis.summary.n, want.n);
      assert.equal(analysis.summary.classes, want.classes);
      assertClose(analysis.summary.crossEntropy, want.crossEntropy, 1e-12, 'cross-entropy vs F.nll_loss');
      if (want.sklearnLogLoss !== undefined) assertClose(analysis.summary.crossEntropy, want.sklearnLogLoss, 1e-9, 'cross-entropy vs sklearn log_loss');
      assertClose(analysis.summary.logLikelihood, want.logLikelihood, 1e-12, 'log-likelihood vs math.fsum');
      assertClose(analysis.summary.log10Likelihood, want.log10Likelihood, 1e-12, 'log10 likelihood');
      assert.equal(analysis.summary.likelihoodExponent, want.likelihoodExponent);
      assertClose(analysis.summary.likelihoodMantissa, want.likelihoodMantissa, 1e-9, 'likelihood mantissa');
      assertClose(analysis.summary.perplexity, want.perplexity, 1e-12, 'perplexity');
      assert.equal(analysis.summary.accuracy, want.accuracy);
      if (want.perSampleLoss) {
        // Under 4,000 rows the plotted series is every row, in order.
        const { x, y } = analysis.plots.perSampleLoss;
        assert.deepEqual(
          x,
          want.perSampleLoss.map((_, i) => i),
        );
        want.perSampleLoss.forEach((loss, i) => assertClose(y[i]!, loss, 1e-12, `row ${i} loss vs F.nll_loss(reduction='none')`));
        assertClose(analysis.plots.worstRows[0]!.loss, Math.max(...want.perSampleLoss), 1e-12, 'worst row');
      }
    });
  }

  it('gives a likelihood far below the smallest double as mantissa x 10^exponent, where a float64 product is 0', async () => {
    const want = expected['underflow.csv']!;
    assert.equal(want.float64Product, 0, 'NumPy multiplies this likelihood out to 0');
    const analysis = await analyze('underflow.csv');
    assert.ok(analysis.summary.likelihoodExponent < -1000);
    const likelihoodStep = analysis.derivations[0]!.steps.find((step) => step.id === 'likelihood')!;
    assert.match(likelihoodStep.note, /Multiplied out in float64 it is 0 from row \d+ on/);
    assert.match(likelihoodStep.latex, new RegExp(`10\\^\\{${want.likelihoodExponent}\\}`));
  });

  it('every identity in the derivation holds, with both sides computed', async () => {
    const analysis = await analyze('basic.csv');
    const checks = analysis.derivations.flatMap((d) => d.steps.flatMap((s) => (s.check ? [s.check] : [])));
    assert.ok(checks.length >= 2);
    for (const check of checks) assert.ok(check.holds && check.residual < 1e-12, `${check.label}: residual ${check.residual}`);
    const identity = checks.find((check) => check.label === 'log L = -n x CE')!;
    assertClose(identity.lhs, expected['basic.csv']!.logLikelihood, 1e-12, 'lhs');
  });

  it('the temperature plot marks the fitted T, the same one the card and the slider name', async () => {
    for (const name of ['basic.csv', 'logits.csv']) {
      const analysis = classification(await analyzeSource({ kind: 'path', path: fixturePath('classifier', name) }));
      const fitted = analysis.summary.temperature!;
      const curve = analysis.plots.parameterCurves.find((c) => c.id === 'temperature')!;
      assert.equal(curve.x[curve.maxIndex], fitted.value, `${name}: the marked T`);
      assert.equal(curve.averageNll[curve.maxIndex], fitted.crossEntropy, `${name}: its cross-entropy`);
      assert.ok(
        curve.averageNll.every((ce) => ce >= fitted.crossEntropy - 1e-12),
        `${name}: no grid point beats the fit`,
      );
      assert.ok(
        curve.x.every((t, i) => i === 0 || t > curve.x[i - 1]!),
        `${name}: the grid stays sorted`,
      );
    }
  });

  it('the derivation carries the file\u2019s numbers in its LaTeX', async () => {
    const analysis = await analyze('basic.csv');
    const latex = analysis.derivations[0]!.steps.map((s) => s.latex).join('\n');
    assert.match(latex, /\\prod_\{i=1\}\^\{200\}/);
    assert.ok(latex.includes(expected['basic.csv']!.logLikelihood.toPrecision(10).replace(/0+$/, '')));
  });

  it('honours a prediction-kind override and warns when probabilities are read as logits', async () => {
    const analysis = await analyze('basic.csv', { kind: 'logits' });
    assert.equal(analysis.roles.kind, 'logits');
    assert.ok(analysis.warnings.some((w) => w.includes('pytorch#55902')));
    assert.ok(analysis.summary.crossEntropy > expected['basic.csv']!.crossEntropy, 'softmax of probabilities flattens them');
  });

  it('honours role overrides', async () => {
    const analysis = await analyze('basic.csv', { target: 'label', predictions: ['p0', 'p1', 'p2', 'p3'] });
    assertClose(analysis.summary.crossEntropy, expected['basic.csv']!.crossEntropy, 1e-12, 'same roles as detected');
    await assert.rejects(analyze('basic.csv', { target: 'nope' }), /basic\.csv: no column named 'nope' \(numeric columns: label, p0, p1, p2, p3\)/);
  });

  it('names the rows whose true class has probability 0 (infinite loss)', async () => {
    const analysis = await analyze('zero_prob.csv');
    assert.equal(analysis.summary.crossEntropy, Infinity);
    assert.ok(
      analysis.warnings.some((w) => w.includes('line 3') && w.includes('infinite')),
      analysis.warnings.join('\n'),
    );
    assert.equal(analysis.plots.worstRows[0]!.line, 3);
  });

  it('refuses a label that is not a class index, naming the line', async () => {
    await assert.rejects(analyze('bad_label.csv'), (error: unknown) => {
      assert.ok(error instanceof DataFileError);
      assert.equal(error.message, 'bad_label.csv: line 3: label 2 is not a class index in 0..1');
      return true;
    });
  });

  it('warns about rows that do not sum to 1', async () => {
    const table = await readTableFile(fixturePath('classifier', 'basic.csv'));
    const skewed = {
      ...table,
      columns: table.columns.map((c) => (c.name === 'p0' ? { name: c.name, values: c.values.map((v, i) => (i === 4 ? v * 0.5 : v)) } : c)),
    };
    const analysis = await analyzeTable(skewed, 'skewed.csv');
    assert.ok(
      analysis.warnings.some((w) => /1 row\(s\) do not sum to 1 \(line 6\)/.test(w)),
      analysis.warnings.join('\n'),
    );
  });
});

describe('the derivations and curves beside the cross-entropy', () => {
  it('shows the conditional (4)-(9) and unconditional (1)-(3) derivations with holding identities', async () => {
    const analysis = await analyzeSource({ kind: 'path', path: fixturePath('classifier', 'basic.csv') });
    const tags = analysis.derivations.flatMap((d) => d.steps.map((s) => s.tag)).filter((tag) => tag !== undefined);
    for (const tag of ['(1)', '(2)', '(3)', '(4)', '(5)', '(6)', '(7)', '(8)', '(9)']) assert.ok(tags.includes(tag), `equation ${tag}`);
    for (const step of analysis.derivations.flatMap((d) => d.steps)) if (step.check) assert.ok(step.check.holds, `${step.id}: ${step.check.label}`);
  });

  it('the label fit curve peaks at the class frequency and the temperature curve at its fitted T', async () => {
    const analysis = classification(await analyzeSource({ kind: 'path', path: fixturePath('classifier', 'logits.csv') }));
    const fit = analysis.plots.parameterCurves.find((c) => c.id === 'label-fit')!;
    const peak = fit.logLikelihood.reduce((best, v, i, all) => (v > all[best]! ? i : best), 0);
    assert.equal(peak, fit.maxIndex);
    // The axis cannot render LaTeX: the title and the axis name the class probability by the same Unicode symbol.
    assert.match(fit.parameter, /^\u03c0[\u2080-\u2089]+$/);
    assert.ok(fit.title.endsWith(` against ${fit.parameter}`), fit.title);
    const temperature = analysis.plots.parameterCurves.find((c) => c.id === 'temperature')!;
    assert.equal(temperature.parameter, 'T');
    assert.ok(analysis.summary.temperature!.crossEntropy <= analysis.summary.crossEntropy + 1e-12, 'the fitted T is no worse than T = 1');
    assertClose(analysis.summary.temperature!.crossEntropyAtOne, expected['logits.csv']!.crossEntropy, 1e-12, 'T = 1 is the file as given');
    assert.ok(analysis.summary.expectedCalibrationError >= 0 && analysis.summary.expectedCalibrationError < 1);
    const reliability = analysis.plots.reliability!;
    assert.equal(
      reliability.bins.reduce((total, bin) => total + bin.count, 0),
      expected['logits.csv']!.n,
    );
  });
});

describe('binary classifiers', () => {
  it('shows log L = -n x BCE with both sides computed', async () => {
    const analysis = await analyze('binary_logits.csv');
    const binary = analysis.derivations[0]!;
    const identity = binary.steps.flatMap((step) => (step.check ? [step.check] : [])).find((check) => /BCE/.test(check.label))!;
    assert.ok(identity.holds, identity.label);
    assertClose(identity.lhs, expected['binary_logits.csv']!.logLikelihood, 1e-12, 'log L');
  });

  it('refuses a label that is not 0 or 1, naming the line', async () => {
    const table = await readTableFile(fixturePath('classifier', 'binary.csv'));
    const labels = table.columns[0]!.values.map((v, i) => (i === 9 ? 2 : v));
    const bad = { ...table, columns: [{ ...table.columns[0]!, values: labels }, table.columns[1]!] };
    await assert.rejects(analyzeTable(bad, 'binary.csv'), { message: 'binary.csv: line 11: label 2 is not 0 or 1' });
  });
});
