import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompensatedSum, sumOf } from '../../../src/engine/compensatedSum';
import { LOG_MIN_DOUBLE, float64ProductFromLogs, logSumExp, scientificFromLog } from '../../../src/engine/logSpace';
import { LossAccumulator } from '../../../src/engine/lossAccumulator';

describe('compensated summation', () => {
  it('recovers what naive float64 summation loses', () => {
    // 1 + 1e-16 * 10^6: naive addition never moves off 1.
    const values = [1, ...new Array<number>(1_000_000).fill(1e-16)];
    let naive = 0;
    for (const v of values) naive += v;
    assert.equal(naive, 1);
    assert.equal(sumOf(values), 1 + 1e-10);
  });

  it('merging chunk sums gives the single-pass sum', () => {
    const values = Array.from({ length: 10_001 }, (_, i) => Math.sin(i) * 10 ** ((i % 7) - 3));
    const whole = sumOf(values);
    for (const chunk of [1, 7, 1000, 4096]) {
      const merged = new CompensatedSum();
      for (let start = 0; start < values.length; start += chunk) {
        const part = new CompensatedSum();
        for (const v of values.slice(start, start + chunk)) part.add(v);
        merged.merge(part);
      }
      assert.ok(Math.abs(merged.value - whole) <= 1e-12 * Math.abs(whole), `chunk ${chunk}`);
    }
  });

  it('LossAccumulator merges counts, sums and infinite rows', () => {
    const a = new LossAccumulator();
    const b = new LossAccumulator();
    a.add(1, 0, true);
    a.add(Infinity, 1);
    b.add(3, 2, true);
    a.merge(b);
    assert.equal(a.count, 3);
    assert.equal(a.correct, 2);
    assert.deepEqual(a.infiniteRows, [1]);
    assert.equal(a.mean, Infinity);
  });
});

describe('log space', () => {
  it('log-sum-exp is exact for huge and tiny logits', () => {
    assert.equal(logSumExp([1000, 1000]), 1000 + Math.LN2);
    assert.equal(logSumExp([-1000, -1000]), -1000 + Math.LN2);
    assert.equal(logSumExp([-Infinity, -Infinity]), -Infinity);
  });

  it('writes exp(log L) as mantissa x 10^exponent below the smallest double', () => {
    const { mantissa, exponent } = scientificFromLog(-5000 * Math.LN10 + Math.log(3.5));
    assert.equal(exponent, -5000);
    assert.ok(Math.abs(mantissa - 3.5) < 1e-9);
    assert.deepEqual(scientificFromLog(0), { mantissa: 1, exponent: 0 });
    assert.deepEqual(scientificFromLog(-Infinity), { mantissa: 0, exponent: 0 });
  });

  it('says where a float64 product would underflow, without forming it', () => {
    const logs = new Array<number>(1000).fill(Math.log(0.1));
    const { value, underflowRow } = float64ProductFromLogs(logs);
    assert.equal(value, 0);
    // 0.1^k drops below 4.9e-324 at k = 324.
    assert.equal(underflowRow, 323);
    assert.ok(LOG_MIN_DOUBLE < -744 && LOG_MIN_DOUBLE > -745);
  });
});
