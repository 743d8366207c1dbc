import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PredictionKind } from '../../../src/engine/categorical';
import { CrossEntropyState, crossEntropy, type CrossEntropyOptions } from '../../../src/engine/crossEntropyLoss';
import { RowError } from '../../../src/engine/rowError';
import { assertAllRelative, assertRelative, expected, matrix, readNumericCsv } from './engineFixtures';

const cat = expected.categorical;
const table = readNumericCsv(cat.file);
const inputs: Record<PredictionKind, ReturnType<typeof matrix>> = {
  logits: matrix(table, 'z', cat.k),
  probs: matrix(table, 'p', cat.k),
  logprobs: matrix(table, 'lp', cat.k),
};

function optionsOf(config: { weight?: number[]; ignore_index?: number; label_smoothing?: number }, kind: PredictionKind): CrossEntropyOptions {
  return { kind, weight: config.weight, ignoreIndex: config.ignore_index, labelSmoothing: config.label_smoothing };
}

describe('categorical cross-entropy against F.cross_entropy (float64)', () => {
  for (const [name, entry] of Object.entries<any>(cat.configs)) {
    for (const kind of ['logits', 'probs', 'logprobs'] as const) {
      it(`${name} (${JSON.stringify(entry.options)}), ${kind} input: mean, sum and none to 1e-9`, () => {
        const labels = table.get(entry.options.labels)!;
        const options = optionsOf(entry.options, kind);
        const mean = crossEntropy(labels, inputs[kind], { ...options, reduction: 'mean' });
        const sum = crossEntropy(labels, inputs[kind], { ...options, reduction: 'sum' });
        const none = crossEntropy(labels, inputs[kind], { ...options, reduction: 'none' });
        assertRelative(mean, entry[kind].mean, 1e-9, 'mean');
        assertRelative(sum, entry[kind].sum, 1e-9, 'sum');
        // Ignored rows are 0 in PyTorch's 'none' output, and here too.
        assertAllRelative(none, entry[kind].none, 1e-9, 'none');
      });
    }
  }

  it('mean with weights divides by the summed weights of the rows not ignored, not by the row count', () => {
    const labels = table.get('label_ignored')!;
    const state = new CrossEntropyState(cat.k, { kind: 'logits', weight: cat.configs.weight.options.weight });
    state.consume({ labels, scores: inputs.logits });
    assert.equal(state.ignored, 23);
    assert.notEqual(state.mean, state.sum / (cat.n - 23));
    assertRelative(state.mean, state.sum / state.denominator.value, 0, 'sum / weight sum');
  });

  it('agrees with F.nll_loss on log-probabilities and with sklearn log_loss on probabilities', () => {
    assertRelative(crossEntropy(table.get('label')!, inputs.logprobs, { kind: 'logprobs' }), cat.nllLossMean, 1e-9, 'nll_loss');
    assertRelative(
      crossEntropy(table.get('label_ignored')!, inputs.logprobs, { kind: 'logprobs' }),
      cat.nllLossIgnoredMean,
      1e-9,
      'nll_loss ignore_index=-100',
    );
    assertRelative(crossEntropy(table.get('label')!, inputs.probs, { kind: 'probs' }), cat.sklearnLogLoss, 1e-9, 'log_loss');
  });

  it('the log-likelihood and accuracy agree with the reference', () => {
    const state = new CrossEntropyState(cat.k, { kind: 'logits' });
    state.consume({ labels: table.get('label')!, scores: inputs.logits });
    assertRelative(state.logLikelihood, cat.logLikelihood, 1e-9, 'log L');
    assert.equal(state.accuracy, cat.accuracy);
    assertRelative(state.likelihood.mean, cat.configs.plain.logits.mean, 1e-9, 'mean -log q(y|x)');
  });

  it('label smoothing on probabilities is infinite when some class has probability 0 (log 0), finite without it', () => {
    const scores = { n: 1, k: 3, values: [0.5, 0.5, 0] };
    assert.equal(crossEntropy([0], scores, { kind: 'probs', labelSmoothing: 0.1 }), Infinity);
    assertRelative(crossEntropy([0], scores, { kind: 'probs' }), Math.LN2, 1e-15, 'no smoothing');
  });

  it('names the row of a bad label or prediction', () => {
    const scores = { n: 3, k: 2, values: [0.5, 0.5, 0.2, 0.8, 1.5, -0.5] };
    assert.throws(
      () => crossEntropy([0, 2, 0], scores, { kind: 'probs' }),
      (e: unknown) => e instanceof RowError && e.row === 1,
    );
    assert.throws(
      () => crossEntropy([0, 1, 0], scores, { kind: 'probs' }),
      (e: unknown) => e instanceof RowError && e.row === 2,
    );
    const state = new CrossEntropyState(2, { kind: 'probs' });
    assert.throws(
      () => state.consume({ labels: [0, 1, 0], scores, firstRow: 100 }),
      (e: unknown) => e instanceof RowError && e.row === 102,
    );
  });

  it('every row ignored gives NaN, as PyTorch (0 / 0)', () => {
    assert.ok(Number.isNaN(crossEntropy([-100, -100], { n: 2, k: 2, values: [1, 2, 3, 4] }, { kind: 'logits' })));
  });
});
