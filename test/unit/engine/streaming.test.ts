import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BinaryCrossEntropyState } from '../../../src/engine/binary';
import { ReliabilityState } from '../../../src/engine/calibration';
import { CrossEntropyState } from '../../../src/engine/crossEntropyLoss';
import { BernoulliFitState } from '../../../src/engine/fits/bernoulliFit';
import { CategoricalFitState } from '../../../src/engine/fits/categoricalFit';
import { ExponentialFitState } from '../../../src/engine/fits/exponentialFit';
import { GaussianFitState } from '../../../src/engine/fits/gaussianFit';
import { PoissonFitState } from '../../../src/engine/fits/poissonFit';
import { PredictionEntropyState } from '../../../src/engine/predictionEntropy';
import type { StreamingState } from '../../../src/engine/reduction';
import { PredictedVarianceState, SquaredErrorState } from '../../../src/engine/regression';
import { RowError } from '../../../src/engine/rowError';
import { SoftTargetState } from '../../../src/engine/softTargets';
import { TemperatureCurveState, TemperatureMoments } from '../../../src/engine/temperature';
import { chunkBounds, expected, matrix, readNumericCsv, relative, sliceRows } from './engineFixtures';

/** Chunk sizes: one row at a time, uneven cycles, and bigger than the file. */
const CHUNKINGS: readonly (readonly number[])[] = [[1], [7, 1, 30, 2], [64], [1000]];

/**
 * Feeds `n` rows through fresh states chunk by chunk, merging each chunk's state into an
 * accumulator (as workers would), and compares every reported number with one pass.
 */
function assertChunkedEqualsSinglePass<S extends StreamingState<C, S>, C>(
  n: number,
  make: () => S,
  chunk: (start: number, end: number) => C,
  read: (state: S) => number[],
): void {
  const single = make();
  single.consume(chunk(0, n));
  const want = read(single);
  assert.ok(
    want.every((v) => Number.isFinite(v)),
    'reference values are finite',
  );
  for (const sizes of CHUNKINGS) {
    const merged = make();
    for (const [start, end] of chunkBounds(n, sizes)) {
      const part = make();
      part.consume(chunk(start, end));
      merged.merge(part);
    }
    const got = read(merged);
    got.forEach((v, i) => assert.ok(relative(v, want[i]!) <= 1e-12, `chunks ${sizes.join(',')}: value ${i} ${v} vs ${want[i]}`));
    // Consuming successive chunks into one state is the other streaming pattern.
    const sequential = make();
    for (const [start, end] of chunkBounds(n, sizes)) sequential.consume(chunk(start, end));
    read(sequential).forEach((v, i) => assert.ok(relative(v, want[i]!) <= 1e-12, `sequential ${sizes.join(',')}: value ${i}`));
  }
}

const cat = expected.categorical;
const cTable = readNumericCsv(cat.file);
const logits = matrix(cTable, 'z', cat.k);
const probs = matrix(cTable, 'p', cat.k);
const ignoredLabels = cTable.get('label_ignored')!;
const labels = cTable.get('label')!;
const labelled = (ls: Float64Array, m: ReturnType<typeof matrix>) => (s: number, e: number) => ({
  labels: ls.subarray(s, e),
  scores: sliceRows(m, s, e),
  firstRow: s,
});

describe('every reduction: chunked (sizes 1, uneven, 64, whole) == single pass to 1e-12', () => {
  it('cross-entropy with weights, ignore_index and label smoothing', () => {
    assertChunkedEqualsSinglePass(
      cat.n,
      () => new CrossEntropyState(cat.k, { kind: 'logits', weight: [0.5, 2, 1, 3, 0.25], labelSmoothing: 0.15 }),
      labelled(ignoredLabels, logits),
      (s) => [s.mean, s.sum, s.logLikelihood, s.accuracy, s.ignored, s.likelihood.standardDeviation],
    );
  });

  it('binary cross-entropy (probabilities and logits with pos_weight)', () => {
    const b = readNumericCsv(expected.binary.file);
    for (const [input, column] of [
      ['probs', 'p'],
      ['logits', 'z'],
    ] as const) {
      assertChunkedEqualsSinglePass(
        expected.binary.n,
        () => new BinaryCrossEntropyState({ input, posWeight: input === 'logits' ? 2.5 : undefined }),
        (s, e) => ({ labels: b.get('y')!.subarray(s, e), predictions: b.get(column)!.subarray(s, e), firstRow: s }),
        (st) => [st.bce, st.torchBce, st.weightedBce, st.logLikelihood, st.accuracy, st.positives],
      );
    }
  });

  it('soft targets: H(p,q), H(p), KL and the PyTorch loss', () => {
    const soft = expected.soft;
    const t = readNumericCsv(soft.file);
    const targets = matrix(t, 't', soft.k);
    const z = matrix(t, 'z', soft.k);
    assertChunkedEqualsSinglePass(
      soft.n,
      () => new SoftTargetState(soft.k, { kind: 'logits', weight: soft.weight, labelSmoothing: 0.2 }),
      (s, e) => ({ targets: sliceRows(targets, s, e), predictions: sliceRows(z, s, e), firstRow: s }),
      (st) => [st.crossEntropy, st.entropy, st.klBatchmean, st.torchCrossEntropy],
    );
  });

  it('regression: squared error (MSE, sigma MLE, NLL) and predicted variance', () => {
    const reg = expected.regression;
    const r = readNumericCsv(reg.file);
    const y = matrix(r, 'y', reg.k);
    const yhat = matrix(r, 'yhat', reg.k);
    const variance = matrix(r, 'var', reg.k);
    assertChunkedEqualsSinglePass(
      reg.n,
      () => new SquaredErrorState(reg.k),
      (s, e) => ({ targets: sliceRows(y, s, e), predictions: sliceRows(yhat, s, e), firstRow: s }),
      (st) => [st.mse, st.sigmaMle, st.gaussianNll(0.7), st.logLikelihoodAtSigmaMle],
    );
    assertChunkedEqualsSinglePass(
      reg.n,
      () => new PredictedVarianceState(reg.k, { full: true }),
      (s, e) => ({ targets: sliceRows(y, s, e), predictions: sliceRows(yhat, s, e), variance: sliceRows(variance, s, e), firstRow: s }),
      (st) => [st.mean, st.sum, st.clamped],
    );
  });

  it('unconditional fits from sufficient statistics', () => {
    const f = readNumericCsv(expected.fits.file);
    const n = expected.fits.n;
    const column = (name: string) => (s: number, e: number) => ({ values: f.get(name)!.subarray(s, e), firstRow: s });
    const summary = (fit: { logLikelihood: number; averageNll: number; estimates: object }) => [
      fit.logLikelihood,
      fit.averageNll,
      ...Object.values(fit.estimates).flat(),
    ];
    assertChunkedEqualsSinglePass(
      n,
      () => new BernoulliFitState(),
      column('bern'),
      (s) => summary(s.fit()),
    );
    assertChunkedEqualsSinglePass(
      n,
      () => new CategoricalFitState(),
      column('cat'),
      (s) => summary(s.fit()),
    );
    assertChunkedEqualsSinglePass(
      n,
      () => new GaussianFitState(),
      column('gauss'),
      (s) => summary(s.fit()),
    );
    assertChunkedEqualsSinglePass(
      n,
      () => new PoissonFitState(),
      column('pois_big'),
      (s) => summary(s.fit()),
    );
    assertChunkedEqualsSinglePass(
      n,
      () => new ExponentialFitState(),
      column('expo'),
      (s) => summary(s.fit()),
    );
  });

  it('temperature moments and curve, calibration table, prediction entropy', () => {
    assertChunkedEqualsSinglePass(
      cat.n,
      () => new TemperatureMoments(0.7),
      labelled(labels, logits),
      (s) => [s.crossEntropy, s.derivative, s.secondDerivative],
    );
    assertChunkedEqualsSinglePass(
      cat.n,
      () => new TemperatureCurveState([0.3, 1, 4]),
      labelled(labels, logits),
      (s) => s.crossEntropy,
    );
    assertChunkedEqualsSinglePass(
      cat.n,
      () => new ReliabilityState(cat.k, 'probs'),
      labelled(labels, probs),
      (s) => {
        const table = s.table();
        return [table.ece, table.mce, table.accuracy, ...table.bins.map((b) => b.count)];
      },
    );
    assertChunkedEqualsSinglePass(
      cat.n,
      () => new PredictionEntropyState(cat.k, 'logits'),
      (s, e) => ({ scores: sliceRows(logits, s, e), firstRow: s }),
      (s) => [s.mean],
    );
  });

  it('a bad row in a later chunk is reported with its file row, not its row within the chunk', () => {
    const values = Float64Array.from([1, 2, 3, 4, 5, 6.5, 7]);
    const state = new PoissonFitState();
    assert.throws(
      () => {
        for (const [s, e] of chunkBounds(values.length, [3])) state.consume({ values: values.subarray(s, e), firstRow: s });
      },
      (e: unknown) => e instanceof RowError && e.row === 5,
    );
  });
});
