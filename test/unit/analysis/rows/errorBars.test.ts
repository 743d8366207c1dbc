import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSource } from '../../../../src/analysis/sources/analyzeSource';
import type { Analysis, AnalysisOptions, ErrorBar } from '../../../../src/analysis/results';
import { Z_95 } from '../../../../src/engine/uncertainty';
import { ReliabilityState } from '../../../../src/engine/calibration';
import { calibrationErrorBars } from '../../../../src/analysis/rows/errorBars';
import { classification, fixturePath, readJson } from '../../../helpers/fixtures';

const expected: any = readJson(fixturePath('uncertainty', 'expected.json'));

function assertRelative(actual: number, want: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - want) <= tolerance * Math.abs(want), `${what}: ${actual} against ${want}`);
}

/** A normal error bar around `value` with standard error `se`, and a method that says so. */
function assertNormalBar(bar: ErrorBar | undefined, value: number, se: number, what: string): void {
  assert.ok(bar, `${what}: no error bar`);
  assertRelative(bar.standardError, se, 1e-10, `${what} standard error`);
  assertRelative(bar.lower, value - Z_95 * se, 1e-10, `${what} lower`);
  assertRelative(bar.upper, value + Z_95 * se, 1e-10, `${what} upper`);
  assert.match(bar.method, /ddof 1/);
}

async function analyze(path: string, options: AnalysisOptions = {}): Promise<Analysis> {
  return analyzeSource({ kind: 'path', path }, options);
}

describe('error bars of a classifier', () => {
  it('an overconfident classifier: cross-entropy, accuracy and perplexity as numpy gives them, the ECE with its bootstrap interval and noise floor', async () => {
    const want = expected.overconfident;
    const { summary, plots } = classification(await analyze(fixturePath('uncertainty', 'overconfident.csv')));
    assert.equal(summary.n, want.n);
    assertRelative(summary.crossEntropyStdError, want.crossEntropyStdError, 1e-10, 'crossEntropyStdError');
    assertNormalBar(summary.errorBars.crossEntropy, summary.crossEntropy, want.crossEntropyStdError, 'cross-entropy');
    assertNormalBar(summary.errorBars.logLikelihoodPerRow, -summary.crossEntropy, want.crossEntropyStdError, 'log-likelihood per row');
    assertNormalBar(summary.errorBars.accuracy, want.accuracy, want.accuracyStdError, 'accuracy');
    assertRelative(summary.errorBars.perplexity!.lower, want.perplexityInterval[0], 1e-10, 'perplexity lower');
    assertRelative(summary.errorBars.perplexity!.upper, want.perplexityInterval[1], 1e-10, 'perplexity upper');
    assertRelative(summary.expectedCalibrationError, want.ece, 1e-12, 'ECE');
    assert.deepEqual(
      plots.reliability!.bins.map((bin) => bin.count),
      want.binCounts,
    );
    const ece = summary.errorBars.expectedCalibrationError!;
    assertRelative(ece.lower, want.eceInterval[0], 1e-12, 'ECE lower');
    assertRelative(ece.upper, want.eceInterval[1], 1e-12, 'ECE upper');
    assert.ok(Number.isNaN(ece.standardError));
    assert.match(ece.method, /200 Poisson\(1\) bootstrap replicates/);
    assert.doesNotMatch(ece.method, /normal approximation/);
    assertRelative(summary.calibrationNoiseFloor.value, want.noiseFloor, 1e-9, 'noise floor');
    assert.match(summary.calibrationNoiseFloor.method, /Binomial/);
    // This model's ECE is far above what chance gives a calibrated one with these bins.
    assert.ok(ece.lower > summary.calibrationNoiseFloor.value);
  });

  it('the per-class table: support, cross-entropy and recall with their standard errors, and the calibration gap of each predicted class', async () => {
    const analysis = classification(await analyze(fixturePath('uncertainty', 'overconfident.csv')));
    const rows = analysis.byClass!.classes;
    const want = expected.overconfident.byClass as Record<string, number>[];
    assert.equal(rows.length, want.length);
    rows.forEach((row, c) => {
      const w = want[c]!;
      assert.equal(row.label, w.label);
      assert.equal(row.support, w.support);
      assert.equal(row.predicted, w.predicted);
      for (const key of ['crossEntropy', 'crossEntropyStdError', 'accuracy', 'accuracyStdError', 'calibrationGap'] as const)
        assertRelative(row[key], w[key]!, 1e-10, `class ${c} ${key}`);
    });
    assert.match(analysis.byClass!.method, /ddof 1/);
  });

  it('a CSV of logits: the standard errors of the cross-entropy and the accuracy', async () => {
    const want = expected.logitsCsv;
    const { summary } = classification(await analyze(fixturePath('classifier', 'logits.csv')));
    assertRelative(summary.crossEntropyStdError, want.crossEntropyStdError, 1e-10, 'cross-entropy');
    assertRelative(summary.errorBars.accuracy!.standardError, want.accuracyStdError, 1e-10, 'accuracy');
  });
});

describe('error bars of the other tasks', () => {
  it('soft targets, regression and each fit family: std of the per-row losses (ddof 1) / sqrt n', async () => {
    const soft = await analyze(fixturePath('engine', 'soft.csv'));
    assert.equal(soft.task, 'soft');
    if (soft.task === 'soft') {
      assertRelative(soft.summary.crossEntropyStdError, expected.softCsv.crossEntropyStdError, 1e-10, 'soft');
      assert.ok(soft.summary.errorBars.perplexity);
    }
    const regression = await analyze(fixturePath('engine', 'regression.csv'), { sigma: expected.regressionCsv.sigma });
    assert.equal(regression.task, 'regression');
    if (regression.task === 'regression')
      assertRelative(regression.summary.crossEntropyStdError, expected.regressionCsv.crossEntropyStdError, 1e-10, 'regression');
    for (const [column, se] of Object.entries(expected.fitsCsv as Record<string, number>)) {
      const dist = { bern: 'bernoulli', cat: 'categorical', gauss: 'gaussian', pois: 'poisson', expo: 'exponential' }[column] as 'bernoulli';
      const fit = await analyze(fixturePath('engine', 'fits.csv'), { task: 'fit', target: column, dist });
      assert.equal(fit.task, 'fit');
      if (fit.task === 'fit') assertNormalBar(fit.summary.errorBars.crossEntropy, fit.summary.crossEntropy, se, `fit ${column}`);
    }
  });

  it('a Gaussian and an exponential fit of columns with more distinct values than the fit keeps: from the column\u2019s moments', async () => {
    for (const [column, dist] of [
      ['level', 'gaussian'],
      ['wait', 'exponential'],
    ] as const) {
      const fit = await analyze(fixturePath('uncertainty', 'continuous.csv'), { task: 'fit', target: column, dist });
      assert.equal(fit.task, 'fit');
      if (fit.task === 'fit') assertNormalBar(fit.summary.errorBars.crossEntropy, fit.summary.crossEntropy, expected.continuousCsv[column], column);
    }
  });

  it('a language model: per token, and with the sequences as clusters', async () => {
    const lm = await analyze(fixturePath('lm', expected.lm.file));
    assert.equal(lm.task, 'lm');
    if (lm.task !== 'lm') return;
    const s = lm.summary;
    assertRelative(s.crossEntropyStdError, expected.lm.crossEntropyStdError, 1e-10, 'per token');
    assertRelative(s.crossEntropyClusteredStdError, expected.lm.crossEntropyClusteredStdError, 1e-10, 'clustered');
    assert.match(s.errorBars.crossEntropy!.method, /tokens taken as independent/);
    assert.match(s.errorBars.crossEntropyBySequence!.method, /sequences as clusters/);
    assert.ok(s.errorBars.expectedCalibrationError && s.calibrationNoiseFloor);
  });
});

describe('the ECE interval past the exact rows', () => {
  const { confidence, correct } = expected.simulated as { confidence: number[]; correct: number[] };
  const scores = { n: confidence.length, k: 2, values: new Float64Array(confidence.flatMap((c) => [c, 1 - c])) };
  const labels = correct.map((y) => 1 - y);

  it('says nothing more when every row was weighted one by one', () => {
    const state = new ReliabilityState(2, 'probs');
    state.consume({ labels, scores });
    const { errorBar } = calibrationErrorBars(state.table());
    assert.doesNotMatch(errorBar.method, /normal approximation/);
  });

  it('says that rows past the first 20,000 were weighted through their bins', () => {
    const state = new ReliabilityState(2, 'probs');
    state.consume({ labels, scores, firstRow: 30_000 });
    const table = state.table();
    const { errorBar } = calibrationErrorBars(table);
    assert.match(errorBar.method, /rows past the first 20,000 weighted through each bin's sums \(a normal approximation/);
    assert.ok(errorBar.lower < table.ece && table.ece < errorBar.upper, `${table.ece} in [${errorBar.lower}, ${errorBar.upper}]`);
  });
});
