import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BinaryCrossEntropyState, binaryCrossEntropy } from '../../../src/engine/binary';
import { RowError } from '../../../src/engine/rowError';
import { assertClose } from '../../helpers/fixtures';
import { assertAllRelative, assertRelative, expected, readNumericCsv, relative } from './engineFixtures';

const bin = expected.binary;
const table = readNumericCsv(bin.file);
const y = table.get('y')!;
const p = table.get('p')!;
const z = table.get('z')!;

describe('binary cross-entropy on probabilities', () => {
  it("convention 'torch' reproduces F.binary_cross_entropy (log clamped at -100, log(1 - p) as PyTorch rounds it)", () => {
    const state = new BinaryCrossEntropyState({ input: 'probs', convention: 'torch' });
    const rows = state.consume({ labels: y, predictions: p });
    assertAllRelative(rows, bin.torchBce.none, 1e-12, 'none');
    assertRelative(state.torchBce, bin.torchBce.mean, 1e-12, 'mean');
    assertRelative(state.torch.value, bin.torchBce.sum, 1e-12, 'sum');
  });

  it("default 'exact' matches a log1p reference row by row and scipy bernoulli.logpmf", () => {
    const state = binaryCrossEntropy(y, p, { input: 'probs' });
    const rows = new BinaryCrossEntropyState({ input: 'probs' }).consume({ labels: y, predictions: p });
    assertAllRelative(rows, bin.exactBceRows, 1e-13, 'rows');
    assertRelative(state.bce, bin.exactBceMean, 1e-12, 'exact mean');
    assertRelative(state.logLikelihood, bin.scipyLogLikelihood, 1e-12, 'scipy log L');
  });

  it('sklearn log_loss clips p to [eps, 1 - eps] (eps = 2.2e-16): equal where nothing is clipped, larger loss here where row 0 has p = 4e-18', () => {
    const tail = binaryCrossEntropy(y.subarray(3), p.subarray(3), { input: 'probs' });
    assertRelative(tail.bce, bin.sklearnLogLossFromRow3, 1e-9, 'sklearn log_loss rows 3..');
    assertRelative(tail.bce, bin.exactBceMeanFromRow3, 1e-12, 'fsum reference rows 3..');
    assert.ok(binaryCrossEntropy(y, p, { input: 'probs' }).bce > bin.sklearnLogLoss + 1e-3);
  });

  it('log L = -n BCE, both sides summed separately', () => {
    const state = binaryCrossEntropy(y, p, { input: 'probs' });
    assertRelative(state.logLikelihood, -bin.n * state.bce, 1e-13, 'log L = -n BCE');
  });

  it('an observed outcome given probability 0: exact loss is infinite, PyTorch clamps it to 100', () => {
    const edges = readNumericCsv(bin.edges.file);
    const state = new BinaryCrossEntropyState({ input: 'probs' });
    const exact = state.consume({ labels: edges.get('y')!, predictions: edges.get('p')! });
    assert.equal(exact[0], Infinity);
    assert.equal(exact[1], Infinity);
    assert.equal(exact[2], 0);
    assertRelative(exact[5]!, 300 * Math.LN10, 1e-15, 'p = 1e-300 unclamped');
    assert.equal(state.bce, Infinity);
    assert.equal(state.logLikelihood, -Infinity);
    assert.deepEqual(state.exact.infiniteRows, [0, 1]);
    assert.equal(state.clampedRows, 3);
    assertRelative(state.torchBce, bin.edges.torchMean, 1e-15, 'torch mean');
    const torchRows = new BinaryCrossEntropyState({ input: 'probs', convention: 'torch' }).consume({ labels: edges.get('y')!, predictions: edges.get('p')! });
    assert.deepEqual(
      Array.from(torchRows, (v) => v + 0),
      bin.edges.torchNone.map((v: number) => v + 0),
    );
  });

  it('rejects labels other than 0 and 1 and names the row', () => {
    assert.throws(
      () => binaryCrossEntropy([0, 1, 0.5], [0.1, 0.2, 0.3], { input: 'probs' }),
      (e: unknown) => e instanceof RowError && e.row === 2,
    );
    assert.throws(
      () => binaryCrossEntropy([0, 1], [0.1, 1.2], { input: 'probs' }),
      (e: unknown) => e instanceof RowError && e.row === 1,
    );
  });
});

describe('binary cross-entropy on logits', () => {
  it('matches binary_cross_entropy_with_logits mean and sum to 1e-12', () => {
    const state = binaryCrossEntropy(y, z, { input: 'logits' });
    assertRelative(state.bce, bin.withLogits.mean, 1e-12, 'mean');
    assertRelative(state.exact.total.value, bin.withLogits.sum, 1e-12, 'sum');
  });

  it('per row: relative 1e-14 against log1p; PyTorch forms log(1 + tiny) and is only absolutely close (1e-15) for confident rows', () => {
    const rows = new BinaryCrossEntropyState({ input: 'logits' }).consume({ labels: y, predictions: z });
    assertAllRelative(rows, bin.logitRowsAccurate, 1e-14, 'log1p reference');
    rows.forEach((v, i) => assertClose(v, bin.withLogits.none[i], 1e-15, `torch row ${i}`));
    // Row 1: z = 35, y = 1: loss = log1p(e^-35) = 6.305e-16; PyTorch returns log of the rounded 1 + e^-35 = 6.66e-16.
    assertRelative(rows[1]!, 6.305116760146989e-16, 1e-15, 'row 1');
    assert.ok(relative(bin.withLogits.none[1], rows[1]!) > 0.05);
  });

  it('pos_weight matches binary_cross_entropy_with_logits(pos_weight=2.5) mean, sum and none', () => {
    const state = new BinaryCrossEntropyState({ input: 'logits', posWeight: bin.posWeight });
    const rows = state.consume({ labels: y, predictions: z });
    assertRelative(state.weightedBce, bin.withLogitsPosWeight.mean, 1e-12, 'mean');
    assertRelative(state.weighted.value, bin.withLogitsPosWeight.sum, 1e-12, 'sum');
    rows.forEach((v, i) => assertClose(v, bin.withLogitsPosWeight.none[i], 1e-14, `row ${i}`));
    // The likelihood ignores pos_weight: it is the unweighted model's.
    assertRelative(state.logLikelihood, bin.logitLogLikelihood, 1e-12, 'log L');
  });

  it('log L = -n BCE with the log-sigmoid sums computed on their own; accuracy thresholds the logit at 0', () => {
    const state = binaryCrossEntropy(y, z, { input: 'logits' });
    assertRelative(state.logLikelihood, -bin.n * state.bce, 1e-13, 'identity');
    assert.equal(state.accuracy, bin.accuracyLogits);
  });

  it('pos_weight is refused for probabilities (PyTorch has it only with logits)', () => {
    assert.throws(() => new BinaryCrossEntropyState({ input: 'probs', posWeight: 2 }), RangeError);
  });
});
