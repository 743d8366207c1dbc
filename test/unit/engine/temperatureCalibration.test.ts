import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reliabilityTable } from '../../../src/engine/calibration';
import { predictionEntropy } from '../../../src/engine/predictionEntropy';
import { TemperatureCurveState, fitTemperature } from '../../../src/engine/temperature';
import { assertAllRelative, assertRelative, expected, matrix, readNumericCsv } from './engineFixtures';

const temp = expected.temperature;
const tTable = readNumericCsv(temp.file);
const labels = tTable.get('label')!;
const logits = matrix(tTable, 'z', temp.k);

describe('temperature scaling', () => {
  const fit = fitTemperature(labels, logits);

  it('T minimising CE(softmax(z / T)) equals the scipy brentq root of dCE/dbeta to 1e-10 relative', () => {
    assert.equal(fit.atBoundary, false);
    assertRelative(fit.temperature, temp.temperatureBrentq, 1e-10, 'T');
    assertRelative(fit.crossEntropy, temp.crossEntropyAtOptimum, 1e-12, 'CE at T');
    assertRelative(fit.crossEntropyAtOne, temp.crossEntropyAtOne, 1e-12, 'CE at 1');
    assert.ok(fit.crossEntropy < fit.crossEntropyAtOne);
  });

  it('agrees with torch LBFGS on log T (1e-8) and scipy minimize_scalar (1e-7: value comparisons stall near sqrt(eps))', () => {
    assertRelative(fit.temperature, temp.temperatureTorchLbfgs, 1e-8, 'LBFGS');
    assertRelative(fit.temperature, temp.temperatureMinimizeScalar, 1e-7, 'minimize_scalar');
  });

  it('the curve over a log-spaced grid matches F.cross_entropy(z / T) and its minimum is near T*', () => {
    const grid = [0.5, 2, 7];
    const state = new TemperatureCurveState(grid);
    state.consume({ labels, scores: logits });
    assertAllRelative(
      state.crossEntropy,
      grid.map((g) => temp.crossEntropyAt[g.toFixed(1)]),
      1e-12,
      'CE(T)',
    );
    const { temperature, crossEntropy: ce } = fit.curve;
    for (let i = 1; i < temperature.length; i++) assert.ok(temperature[i]! > temperature[i - 1]!);
    assertRelative(temperature[1]! / temperature[0]!, temperature[2]! / temperature[1]!, 1e-12, 'log spacing');
    const best = ce.indexOf(Math.min(...ce));
    assert.ok(Math.abs(Math.log(temperature[best]! / fit.temperature)) < 0.05);
    assert.ok(ce.every((v) => v >= fit.crossEntropy));
  });

  it('with every row already correct there is no interior minimum: the fit says so', () => {
    const easy = fitTemperature([0, 1], { n: 2, k: 2, values: [3, 0, 0, 3] });
    assert.equal(easy.atBoundary, true);
    assert.ok(easy.temperature <= 1e-3 * (1 + 1e-12));
  });
});

const cat = expected.categorical;
const cTable = readNumericCsv(cat.file);
const probs = matrix(cTable, 'p', cat.k);

describe('calibration and prediction entropy', () => {
  it('reliability table (torchmetrics l1 definition): per-bin counts, mean confidence, accuracy and ECE', () => {
    const table = reliabilityTable(cTable.get('label')!, probs, 'probs');
    const ref = expected.calibration;
    assert.equal(table.bins.length, ref.bins);
    table.bins.forEach((bin, b) => {
      assert.equal(bin.count, ref.table[b].count, `bin ${b} count`);
      if (bin.count > 0) {
        assertRelative(bin.meanConfidence, ref.table[b].meanConfidence, 1e-12, `bin ${b} confidence`);
        assertRelative(bin.accuracy, ref.table[b].accuracy, 1e-15, `bin ${b} accuracy`);
      } else assert.ok(Number.isNaN(bin.meanConfidence));
    });
    assertRelative(table.ece, ref.ece, 1e-12, 'ECE');
    assert.equal(table.accuracy, ref.accuracy);
    assert.ok(table.ece > 0 && table.mce >= table.ece);
  });

  it('logits give the same table as their softmax probabilities', () => {
    const fromLogits = reliabilityTable(cTable.get('label')!, matrix(cTable, 'z', cat.k), 'logits');
    assertRelative(fromLogits.ece, expected.calibration.ece, 1e-12, 'ECE from logits');
  });

  it('entropy of each prediction row (no labels needed) matches scipy.stats.entropy, from probabilities, logits and log-probabilities', () => {
    for (const [kind, prefix] of [
      ['probs', 'p'],
      ['logits', 'z'],
      ['logprobs', 'lp'],
    ] as const) {
      const { perRow, mean } = predictionEntropy(matrix(cTable, prefix, cat.k), kind);
      assertAllRelative(perRow, expected.predictionEntropy.rows, 1e-12, `${kind} rows`);
      assertRelative(mean, expected.predictionEntropy.mean, 1e-12, `${kind} mean`);
    }
    assert.equal(predictionEntropy({ n: 1, k: 3, values: [1, 0, 0] }, 'probs').mean, 0);
  });
});
