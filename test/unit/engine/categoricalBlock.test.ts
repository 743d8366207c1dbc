import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scoreBlock } from '../../../src/engine/categoricalBlock';
import type { PredictionKind } from '../../../src/engine/categorical';
import { CrossEntropyState } from '../../../src/engine/crossEntropyLoss';
import { RowError } from '../../../src/engine/rowError';
import { random } from '../../helpers/random';

const N = 40;
const K = 3;

/** N rows of K values of a kind (probabilities and log-probabilities normalised) and their labels. */
function rowsOf(kind: PredictionKind, seed: number): { labels: Float64Array; values: Float64Array } {
  const next = random(seed);
  const labels = Float64Array.from({ length: N }, () => Math.floor(next() * K));
  const values = new Float64Array(N * K);
  for (let i = 0; i < N; i++) {
    const z = Array.from({ length: K }, () => 4 * next() - 2);
    const total = z.reduce((sum, v) => sum + Math.exp(v), 0);
    for (let j = 0; j < K; j++) values[i * K + j] = kind === 'logits' ? z[j]! : kind === 'probs' ? Math.exp(z[j]!) / total : z[j]! - Math.log(total);
  }
  return { labels, values };
}

function without(row: number, { labels, values }: { labels: Float64Array; values: Float64Array }) {
  return {
    labels: Float64Array.from([...labels.subarray(0, row), ...labels.subarray(row + 1)]),
    values: Float64Array.from([...values.subarray(0, row * K), ...values.subarray((row + 1) * K)]),
  };
}

describe('scoreBlock and missing values', () => {
  for (const kind of ['logits', 'probs', 'logprobs'] as const) {
    for (const where of ['label', 0, 1, 2] as const) {
      it(`${kind}: a NaN in the ${where === 'label' ? 'label' : `score of class ${where}`} leaves its row out, counted apart from the ignore index's`, () => {
        const rows = rowsOf(kind, 7);
        const missingRow = 13;
        const expected = scoreBlock(K, { kind }, ...(Object.values(without(missingRow, rows)) as [Float64Array, Float64Array]), N - 1, 0);
        rows.labels[29] = -100;
        if (where === 'label') rows.labels[missingRow] = Number.NaN;
        else rows.values[missingRow * K + where] = Number.NaN;
        const block = scoreBlock(K, { kind }, rows.labels, rows.values, N, 1000);
        assert.deepEqual(block.missing, { count: 1, rows: [1000 + missingRow] });
        assert.equal(block.crossEntropy.ignored, 1);
        assert.equal(block.predicted[missingRow], -1);
        assert.equal(block.losses[missingRow], 0);
        // The same rows scored, but for row 29 (the ignore index) which `expected` still holds.
        const state = new CrossEntropyState(K, { kind });
        state.merge(block.crossEntropy);
        assert.equal(state.likelihood.count, N - 2);
        const kept = Array.from(block.losses).filter((_, i) => i !== missingRow && i !== 29);
        const expectedKept = Array.from(expected.losses).filter((_, i) => i !== 28);
        assert.deepEqual(kept, expectedKept);
        assert.throws(
          () => scoreBlock(K, { kind, strictMissing: true }, rows.labels, rows.values, N, 1000),
          (error: unknown) => error instanceof RowError && error.row === 1000 + missingRow && /NaN/.test(error.reason),
        );
      });
    }
  }

  it('a bad label before a missing value is still refused, by its row', () => {
    const rows = rowsOf('logits', 3);
    rows.labels[4] = 7;
    rows.labels[9] = Number.NaN;
    assert.throws(
      () => scoreBlock(K, { kind: 'logits' }, rows.labels, rows.values, N, 0),
      (error: unknown) => error instanceof RowError && error.row === 4 && error.reason === 'label 7 is not a class index in 0..2',
    );
  });
});
