import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_CALIBRATION_BINS, ReliabilityState } from '../../../src/engine/calibration';
import { CalibrationBootstrapState } from '../../../src/engine/calibrationBootstrap';
import type { RowScores } from '../../../src/engine/rowScores';

/** Scored rows from a fixed linear congruential generator: every 7th row ignored (top class -1). */
function scoredRows(n: number, k: number): { labels: Float64Array; scored: RowScores } {
  let state = 11;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const labels = new Float64Array(n);
  const predicted = new Int32Array(n);
  const confidence = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = Math.floor(next() * k);
    predicted[i] = i % 7 === 3 ? -1 : next() < 0.6 ? labels[i]! : Math.floor(next() * k);
    confidence[i] = predicted[i]! < 0 ? 0 : 1 / k + (1 - 1 / k) * next();
  }
  // Two rows on bin edges, one at exactly 1 (the last bin).
  confidence[1] = 1;
  confidence[2] = 0.4;
  return { labels, scored: { n, nll: new Float64Array(n), confidence, predicted, notNormalisedCount: 0, notNormalisedRows: [] } as unknown as RowScores };
}

function sameState(actual: CalibrationBootstrapState, expected: CalibrationBootstrapState): void {
  for (const field of ['weightSums', 'gapSums', 'gapCompensations', 'tailCounts', 'tailGaps', 'tailSquares'] as const)
    assert.deepEqual(actual[field], expected[field], field);
}

describe('calibration bootstrap: a block of bin codes against one row at a time', () => {
  it('adds a block of rows across the exact rows and the tail as add() adds them one by one', () => {
    const bins = 15;
    const { labels, scored } = scoredRows(3_000, 4);
    const reliability = new ReliabilityState(4, 'probs', bins, 0);
    const codes = reliability.consumeScores(labels, scored, 0);
    const blocks = new CalibrationBootstrapState(bins, 40, 99, 1_000);
    // Uneven blocks, one of them across row 1000 where the exact rows end.
    for (const [from, to] of [
      [0, 700],
      [700, 1_300],
      [1_300, 3_000],
    ] as const)
      blocks.addRows(from, codes.subarray(from, to), scored.confidence.subarray(from, to), to - from);
    const rows = new CalibrationBootstrapState(bins, 40, 99, 1_000);
    for (let i = 0; i < scored.n; i++) {
      const top = scored.predicted[i]!;
      if (top < 0) continue;
      const c = scored.confidence[i]!;
      rows.add(i, Math.min(bins - 1, Math.floor(c * bins)), c, top === labels[i]);
    }
    sameState(blocks, rows);
    assert.ok(blocks.tailCounts.reduce((a, b) => a + b, 0) > 0);
  });

  it('gives a block reduced without a bootstrap, and merged in order, the table of one pass', () => {
    const { labels, scored } = scoredRows(30_000, 10);
    const whole = new ReliabilityState(10, 'probs');
    whole.consumeScores(labels, scored, 0);
    const merged = new ReliabilityState(10, 'probs');
    for (let from = 0; from < scored.n; from += 4_096) {
      const to = Math.min(scored.n, from + 4_096);
      const part = {
        ...scored,
        n: to - from,
        confidence: scored.confidence.subarray(from, to),
        predicted: scored.predicted.subarray(from, to),
      } as RowScores;
      const block = new ReliabilityState(10, 'probs', undefined, 0);
      const codes = block.consumeScores(labels.subarray(from, to), part, from);
      merged.merge(block);
      merged.bootstrapRows(from, codes, part.confidence);
    }
    assert.deepEqual(merged.table(), whole.table());
  });

  it('refuses more bins than a 16-bit bin code holds', () => {
    assert.throws(() => new ReliabilityState(2, 'probs', MAX_CALIBRATION_BINS + 1), /binCount must be an integer/);
    assert.doesNotThrow(() => new ReliabilityState(2, 'probs', MAX_CALIBRATION_BINS, 0));
  });
});
