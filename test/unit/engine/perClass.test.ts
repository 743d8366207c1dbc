import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompensatedSum } from '../../../src/engine/compensatedSum';
import { PerClassState } from '../../../src/engine/perClass';
import type { RowScores } from '../../../src/engine/rowScores';
import { fixturePath, readJson } from '../../helpers/fixtures';

const { confidence, correct } = readJson<{ simulated: { confidence: number[]; correct: number[] } }>(fixturePath('uncertainty', 'expected.json')).simulated;

/** Rows of a two-class model that always ranks class 1 first with probability c: label 1 where it was right. */
function scoresOf(from: number, to: number): { labels: number[]; scored: RowScores } {
  const labels = correct.slice(from, to);
  const c = confidence.slice(from, to);
  return {
    labels,
    scored: {
      n: to - from,
      nll: Float64Array.from(labels, (label, i) => (label === 1 ? -Math.log(c[i]!) : -Math.log1p(-c[i]!))),
      confidence: Float64Array.from(c),
      predicted: Int32Array.from(labels, () => 1),
      smoothing: undefined,
      notNormalisedCount: 0,
      notNormalisedRows: [],
      oneHotCrossEntropy: new CompensatedSum(),
    },
  };
}

describe('the per-class table', () => {
  it('blocks merged in any order give the one-pass table', () => {
    const whole = new PerClassState(2);
    const all = scoresOf(0, confidence.length);
    whole.consumeScores(all.labels, all.scored);
    const merged = new PerClassState(2);
    for (const [from, to] of [
      [400, 600],
      [0, 1],
      [1, 399],
      [399, 400],
    ] as const) {
      const part = new PerClassState(2);
      const block = scoresOf(from, to);
      part.consumeScores(block.labels, block.scored);
      merged.merge(part);
    }
    const [a, b] = [whole.table(), merged.table()];
    assert.equal(a.length, 2);
    a.forEach((row, c) => {
      const other = b[c]!;
      assert.equal(other.support, row.support);
      assert.equal(other.predicted, row.predicted);
      for (const key of ['crossEntropy', 'crossEntropyStdError', 'accuracy', 'calibrationGap'] as const)
        if (!Number.isNaN(row[key])) assert.ok(Math.abs(other[key] - row[key]) <= 1e-13 * Math.abs(row[key]), `class ${c} ${key}`);
    });
    // Class 0 is never ranked first: its recall is 0 and it has no calibration gap; class 1's gap is the ECE of one bin.
    assert.equal(a[0]!.accuracy, 0);
    assert.ok(Number.isNaN(a[0]!.calibrationGap));
    const right = correct.reduce((sum, value) => sum + value, 0);
    const meanConfidence = confidence.reduce((sum, value) => sum + value, 0) / confidence.length;
    assert.ok(Math.abs(a[1]!.calibrationGap - Math.abs(right / confidence.length - meanConfidence)) < 1e-12);
  });
});
