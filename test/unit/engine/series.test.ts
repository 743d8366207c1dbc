import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LossSketch } from '../../../src/engine/lossSketch';

function runningMeanOf(values: readonly number[], runningPoints: number) {
  const sketch = new LossSketch(4000, runningPoints);
  values.forEach((value, row) => sketch.add(value, row));
  return sketch.runningMean();
}

describe('running mean for plots', () => {
  it('stays within its budget and keeps the jump an extreme loss makes', () => {
    const values = Array.from({ length: 200_000 }, (_, i) => (i === 1234 ? 5e4 : 1 + (i % 3)));
    const rm = runningMeanOf(values, 1000);
    // At most three points a stretch (its lowest, highest and last mean), and the final row.
    assert.ok(rm.n.length <= 3000 + 3, `${rm.n.length} points`);
    // Row 1234 (count 1235) is where the running mean peaks; plain striding would step over it.
    assert.ok(rm.n.includes(1235));
    assert.equal(Math.max(...(rm.mean as number[])), rm.mean[rm.n.indexOf(1235)]);
    assert.equal(rm.n[rm.n.length - 1], 200_000);
    for (let i = 1; i < rm.n.length; i++) assert.ok(rm.n[i]! > rm.n[i - 1]!);
  });

  it('the 95% band is right for large losses close together (no sum-of-squares cancellation)', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => 1e8 + (i % 2 === 0 ? -1 : 1));
    const rm = runningMeanOf(values, 100);
    const last = rm.n.length - 1;
    // sample sd = sqrt(10000 / 9999); half-width = 1.96 sd / sqrt(n).
    const half = (1.959963984540054 * Math.sqrt(10_000 / 9_999)) / 100;
    assert.ok(Math.abs(rm.upper[last]! - rm.mean[last]! - half) < 1e-6, `${rm.upper[last]! - rm.mean[last]!} vs ${half}`);
  });
});
