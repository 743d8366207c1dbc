import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CalibrationBootstrapState } from '../../../src/engine/calibrationBootstrap';
import { LossAccumulator } from '../../../src/engine/lossAccumulator';
import { MeanVarianceState } from '../../../src/engine/meanVariance';
import {
  binomialMeanAbsoluteDeviation,
  calibrationNoiseFloor,
  clusteredRatioStandardError,
  perplexityErrorBar,
  proportionStandardError,
  Z_95,
} from '../../../src/engine/uncertainty';
import { fixturePath, readJson } from '../../helpers/fixtures';

const expected: any = readJson(fixturePath('uncertainty', 'expected.json'));

function assertRelative(actual: number, want: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - want) <= tolerance * Math.abs(want), `${what}: ${actual} against ${want}`);
}

/** Splits 0..n into blocks of the given sizes, cycling through them. */
function blocks(n: number, sizes: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0, i = 0; start < n; i++) {
    const end = Math.min(n, start + sizes[i % sizes.length]!);
    out.push([start, end]);
    start = end;
  }
  return out;
}

describe('the standard error of a mean loss (Welford, merged by Chan)', () => {
  const { losses, std, stdError } = expected.offsetLosses as { losses: number[]; std: number; stdError: number };
  // mean / std is 1e9, so a one-pass update keeps about 16 - 9 digits of the spread; numpy's two passes keep more.
  const WELFORD = 1e-7;

  it('matches numpy.std(ddof=1) / sqrt n on losses near 1e6 that differ by 1e-3, where a sum of squares loses every digit', () => {
    const state = new LossAccumulator();
    losses.forEach((loss, row) => state.add(loss, row));
    assertRelative(state.standardDeviation, std, WELFORD, 'std');
    assertRelative(state.standardError, stdError, WELFORD, 'standard error');
    let squares = 0;
    let sum = 0;
    for (const loss of losses) {
      squares += loss * loss;
      sum += loss;
    }
    const naive = Math.sqrt(Math.max(0, (squares - (sum * sum) / losses.length) / (losses.length - 1)));
    assert.ok(Math.abs(naive - std) > 0.5 * std, `the sum of squares would give ${naive} against ${std}`);
  });

  it('blocks merged in any split give the one-pass value', () => {
    const whole = new LossAccumulator();
    losses.forEach((loss, row) => whole.add(loss, row));
    for (const sizes of [[1], [7, 1000, 3], [4096]]) {
      const merged = new LossAccumulator();
      for (const [start, end] of blocks(losses.length, sizes)) {
        const part = new LossAccumulator();
        for (let row = start; row < end; row++) part.add(losses[row]!, row);
        merged.merge(part);
      }
      assertRelative(merged.standardError, whole.standardError, WELFORD, `blocks ${sizes.join(', ')}`);
      assertRelative(merged.standardError, stdError, WELFORD, `blocks ${sizes.join(', ')} against numpy`);
    }
  });

  it('is NaN below two rows and once a loss is infinite', () => {
    const state = new LossAccumulator();
    state.add(1, 0);
    assert.ok(Number.isNaN(state.standardError));
    state.add(2, 1);
    assert.equal(state.standardError, 0.5);
    state.add(Infinity, 2);
    assert.ok(Number.isNaN(state.standardError));
  });

  it('the shared MeanVarianceState agrees with the accumulator', () => {
    const state = new MeanVarianceState();
    for (const loss of losses) state.add(loss);
    assertRelative(state.standardError, stdError, WELFORD, 'MeanVarianceState');
  });
});

describe('error bars of accuracy and perplexity', () => {
  it('accuracy: std(correct, ddof 1) / sqrt n, as numpy gives it', () => {
    const { accuracy, accuracyStdError, n } = expected.overconfident;
    assertRelative(proportionStandardError(Math.round(accuracy * n), n), accuracyStdError, 1e-12, 'accuracy');
    assert.ok(Number.isNaN(proportionStandardError(1, 1)));
  });

  it('perplexity: exp(CE +- 1.96 se)', () => {
    const { crossEntropy, crossEntropyStdError, perplexityInterval } = expected.overconfident;
    const bar = perplexityErrorBar(crossEntropy, crossEntropyStdError);
    assert.equal(Z_95, 1.959964);
    assertRelative(bar.lower, perplexityInterval[0], 1e-12, 'lower');
    assertRelative(bar.upper, perplexityInterval[1], 1e-12, 'upper');
  });

  it('a language model with sequences as clusters: numpy on the per-sequence sums', () => {
    const lm: any = readJson(fixturePath('lm', 'expected.json'));
    const c = lm.cases.find((entry: any) => entry.file === expected.lm.file);
    assertRelative(clusteredRatioStandardError(c.sequenceNll, c.sequenceTokens), expected.lm.crossEntropyClusteredStdError, 1e-12, 'clustered');
  });
});

describe('the ECE noise floor', () => {
  it('E|X - n p| of a binomial, by de Moivre in log space, matches the sum over scipy.stats.binom.pmf', () => {
    for (const { n, p, mad } of expected.binomialMad as { n: number; p: number; mad: number }[])
      assertRelative(binomialMeanAbsoluteDeviation(n, p), mad, 1e-9, `n ${n}, p ${p}`);
  });

  it('sums the bins of a classifier: the expected ECE of a calibrated model with its bins', () => {
    // The fixture's bins, read back from the CSV by the analysis test; here the engine's sum over given bins.
    const bins = [
      { count: 10, meanConfidence: 0.5 },
      { count: 0, meanConfidence: Number.NaN },
      { count: 15, meanConfidence: 0.2 },
    ];
    const want = (expected.binomialMad[3].mad + expected.binomialMad[4].mad) / 25;
    assertRelative(calibrationNoiseFloor(bins), want, 1e-9, 'noise floor');
  });
});

describe('the ECE bootstrap', () => {
  const { confidence, correct, seed, ece, eceInterval } = expected.simulated as {
    confidence: number[];
    correct: number[];
    seed: number;
    ece: number;
    eceInterval: [number, number];
  };
  const bin = (c: number) => Math.min(14, Math.floor(c * 15));

  it('repeats numpy percentiles of the replicates under the same counter-based weights', () => {
    const state = new CalibrationBootstrapState(15, 200, seed);
    confidence.forEach((c, row) => state.add(row, bin(c), c, correct[row] === 1));
    const { lower, upper } = state.interval();
    assertRelative(lower, eceInterval[0], 1e-12, 'lower');
    assertRelative(upper, eceInterval[1], 1e-12, 'upper');
    assert.ok(lower < ece && ece < upper, `${ece} in [${lower}, ${upper}]`);
  });

  it('blocks merged in any order give the same interval', () => {
    const merged = new CalibrationBootstrapState(15, 200, seed);
    for (const [start, end] of blocks(confidence.length, [37, 200, 1]).reverse()) {
      const part = new CalibrationBootstrapState(15, 200, seed);
      for (let row = start; row < end; row++) part.add(row, bin(confidence[row]!), confidence[row]!, correct[row] === 1);
      merged.merge(part);
    }
    const { lower, upper } = merged.interval();
    assertRelative(lower, eceInterval[0], 1e-12, 'lower');
    assertRelative(upper, eceInterval[1], 1e-12, 'upper');
  });

  const tail = (expected.simulated as { tail: { exactRows: number; eceInterval: [number, number] } }).tail;

  it("rows past the exact ones enter through their bins' sums, as numpy draws them", () => {
    const state = new CalibrationBootstrapState(15, 200, seed, tail.exactRows);
    confidence.forEach((c, row) => state.add(row, bin(c), c, correct[row] === 1));
    const { lower, upper } = state.interval();
    assertRelative(lower, tail.eceInterval[0], 1e-10, 'lower');
    assertRelative(upper, tail.eceInterval[1], 1e-10, 'upper');
    assert.notEqual(lower, eceInterval[0]);
    assert.ok(lower < ece && ece < upper, `${ece} in [${lower}, ${upper}]`);
  });

  it('blocks merged in any order give the same interval past the exact rows', () => {
    const merged = new CalibrationBootstrapState(15, 200, seed, tail.exactRows);
    for (const [start, end] of blocks(confidence.length, [37, 200, 1]).reverse()) {
      const part = new CalibrationBootstrapState(15, 200, seed, tail.exactRows);
      for (let row = start; row < end; row++) part.add(row, bin(confidence[row]!), confidence[row]!, correct[row] === 1);
      merged.merge(part);
    }
    const { lower, upper } = merged.interval();
    assertRelative(lower, tail.eceInterval[0], 1e-10, 'lower');
    assertRelative(upper, tail.eceInterval[1], 1e-10, 'upper');
  });
});
