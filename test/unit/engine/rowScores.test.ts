import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PredictionKind } from '../../../src/engine/categorical';
import { expNonPositive } from '../../../src/engine/expNonPositive';
import { logProbabilityRow } from '../../../src/engine/logProbabilities';
import { RowError } from '../../../src/engine/rowError';
import { scoreRows } from '../../../src/engine/rowScores';
import { random } from '../../helpers/random';

const bits = new BigInt64Array(1);
const asDouble = new Float64Array(bits.buffer);
/** Distance in units in the last place between two doubles of the same sign. */
function ulps(a: number, b: number): number {
  asDouble[0] = a;
  const x = bits[0]!;
  asDouble[0] = b;
  const d = x - bits[0]!;
  return Number(d < 0n ? -d : d);
}

describe('expNonPositive', () => {
  it('is within 2 ulps of Math.exp over [-746, 0], subnormal results included', () => {
    const next = random(5);
    let worst = 0;
    let at = 0;
    for (let i = 0; i < 300_000; i++) {
      const x = i % 3 === 0 ? -next() * 746 : i % 3 === 1 ? -next() * 30 : -next() * 1e-3;
      const error = ulps(expNonPositive(x), Math.exp(x));
      if (error > worst) [worst, at] = [error, x];
    }
    assert.ok(worst <= 2, `${worst} ulps at x = ${at}`);
  });

  it('is exact at 0, 0 below the smallest subnormal, and keeps NaN', () => {
    assert.equal(expNonPositive(0), 1);
    assert.equal(expNonPositive(-0), 1);
    assert.equal(expNonPositive(-Infinity), 0);
    assert.equal(expNonPositive(-746), 0);
    assert.equal(expNonPositive(-745.1), Math.exp(-745.1));
    assert.ok(Number.isNaN(expNonPositive(Number.NaN)));
    for (const x of [-Math.LN2, -1, -10 * Math.LN2, -708.39, -709.5]) assert.ok(ulps(expNonPositive(x), Math.exp(x)) <= 1, `x = ${x}`);
  });
});

/** The definition scoreRows computes in one pass: log q of the row, row by row. */
function reference(values: Float64Array, offset: number, k: number, kind: PredictionKind, label: number) {
  const logQ = new Float64Array(k);
  logProbabilityRow(values, offset, k, kind, 0, logQ);
  let best = 0;
  for (let j = 1; j < k; j++) if (values[offset + j]! > values[offset + best]!) best = j;
  // For logits, exp(z_best - lse) would carry lse's rounding (1e-15 at |lse| ~ 9); 1 / sum_j exp(z_j - z_best) does not.
  let shifted = 0;
  if (kind === 'logits') for (let j = 0; j < k; j++) shifted += Math.exp(values[offset + j]! - values[offset + best]!);
  const confidence = kind === 'logits' ? 1 / shifted : Math.exp(logQ[best]!);
  return { nll: -logQ[label]!, confidence, predicted: best, smoothing: logQ.reduce((total, v) => total - v, 0) };
}

function rows(kind: PredictionKind, n: number, k: number, seed: number): Float64Array {
  const next = random(seed);
  const values = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let j = 0; j < k; j++) total += values[i * k + j] = kind === 'logits' ? (next() - 0.5) * 20 : next();
    if (kind === 'logits') continue;
    for (let j = 0; j < k; j++) values[i * k + j] = kind === 'probs' ? values[i * k + j]! / total : Math.log(values[i * k + j]! / total);
  }
  return values;
}

describe('scoreRows', () => {
  for (const kind of ['logits', 'probs', 'logprobs'] as const) {
    it(`${kind}: every row's loss, confidence, argmax and smoothing term as log q row by row gives them`, () => {
      const n = 500;
      const k = 7;
      const values = rows(kind, n, k, 11);
      const next = random(12);
      const labels = Float64Array.from({ length: n }, () => Math.floor(next() * k));
      const scored = scoreRows(labels, values, n, k, 0, { kind, ignoreIndex: -100, smoothing: true });
      for (let i = 0; i < n; i++) {
        const expected = reference(values, i * k, k, kind, labels[i]!);
        assert.ok(Math.abs(scored.nll[i]! - expected.nll) <= 1e-14 * Math.max(1, expected.nll), `row ${i} nll ${scored.nll[i]} vs ${expected.nll}`);
        assert.ok(Math.abs(scored.confidence[i]! - expected.confidence) <= 1e-15, `row ${i} confidence`);
        assert.equal(scored.predicted[i], expected.predicted, `row ${i} argmax`);
        assert.ok(Math.abs(scored.smoothing![i]! - expected.smoothing) <= 1e-13 * Math.max(1, expected.smoothing), `row ${i} smoothing`);
      }
      assert.equal(scored.notNormalisedCount, 0);
    });
  }

  it('reads rows with a stride: the scores of rows parsed with their label beside them', () => {
    const k = 4;
    const values = rows('logits', 50, k, 3);
    const labels = Float64Array.from({ length: 50 }, (_, i) => i % k);
    const interleaved = new Float64Array(50 * (k + 1));
    for (let i = 0; i < 50; i++) {
      interleaved.set(values.subarray(i * k, (i + 1) * k), i * (k + 1));
      interleaved[i * (k + 1) + k] = labels[i]!;
    }
    const plain = scoreRows(labels, values, 50, k, 0, { kind: 'logits', ignoreIndex: -100 });
    const strided = scoreRows(labels, interleaved, 50, k, 0, { kind: 'logits', ignoreIndex: -100 }, k + 1);
    assert.deepEqual(strided.nll, plain.nll);
    assert.deepEqual(strided.predicted, plain.predicted);
  });

  it('leaves ignored rows out, takes ties to the lowest class, and names rows off 1', () => {
    const values = Float64Array.from([0.5, 0.5, 0, 0.2, 0.2, 0.6, 0.3, 0.3, 0.3]);
    const scored = scoreRows([1, -100, 2], values, 3, 3, 10, { kind: 'probs', ignoreIndex: -100 });
    assert.deepEqual(Array.from(scored.predicted), [0, -1, 0]);
    assert.equal(scored.nll[0], -Math.log(0.5));
    assert.equal(scored.nll[1], 0);
    assert.equal(scored.notNormalisedCount, 1);
    assert.deepEqual(scored.notNormalisedRows, [2]);
  });

  it('a logit of -Infinity is a probability of 0: an infinite loss for its class only', () => {
    const scored = scoreRows([0, 1], Float64Array.from([-Infinity, 2, -Infinity, 2]), 2, 2, 0, { kind: 'logits', ignoreIndex: -100 });
    assert.equal(scored.nll[0], Infinity);
    assert.equal(scored.nll[1], 0);
    assert.equal(scored.confidence[1], 1);
  });

  for (const [what, kind, values, label, reason] of [
    ['a NaN logit', 'logits', [1, Number.NaN, 0], 0, 'a logit is NaN'],
    ['an infinite logit', 'logits', [1, Infinity, 0], 0, 'a logit is infinite'],
    ['a probability above 1', 'probs', [0.5, 1.5, 0], 0, 'probability 1.5 of class 1 is outside [0, 1]'],
    ['a missing probability', 'probs', [0.5, Number.NaN, 0.5], 0, 'the probability of class 1 is missing (NaN)'],
    ['a positive log-probability', 'logprobs', [-1, 0.5, -2], 0, 'log-probability 0.5 of class 1 is not <= 0'],
    ['a label past the classes', 'logits', [1, 2, 3], 3, 'label 3 is not a class index in 0..2'],
    ['a fractional label', 'probs', [0.2, 0.3, 0.5], 1.5, 'label 1.5 is not a class index in 0..2'],
    ['a missing label', 'probs', [0.2, 0.3, 0.5], Number.NaN, 'the label is missing (NaN)'],
  ] as const) {
    it(`${what} stops the pass at its row, saying what is wrong`, () => {
      const good = kind === 'logits' ? [0, 0, 0] : kind === 'probs' ? [0.2, 0.3, 0.5] : [-1, -1, -1.5];
      assert.throws(
        () => scoreRows([0, label], Float64Array.from([...good, ...values]), 2, 3, 40, { kind, ignoreIndex: -100 }),
        (error: unknown) => error instanceof RowError && error.row === 41 && error.reason === reason,
      );
    });
  }
});
