import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sumOf } from '../../../src/engine/compensatedSum';
import { LossSketch } from '../../../src/engine/lossSketch';

function sketchOf(values: ArrayLike<number>, ...args: ConstructorParameters<typeof LossSketch>): LossSketch {
  const sketch = new LossSketch(...args);
  for (let i = 0; i < values.length; i++) sketch.add(values[i]!, i);
  return sketch;
}

/** A deterministic stream of loss-like values (a fixed linear congruential generator). */
function losses(n: number, seed = 7): Float64Array {
  const out = new Float64Array(n);
  let state = seed;
  for (let i = 0; i < n; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    out[i] = -Math.log((state + 1) / 2147483649);
  }
  return out;
}

describe('loss sketch: plot statistics in bounded memory', () => {
  it('adds blocks of rows exactly as it adds them one by one, whatever the values', () => {
    const values = losses(300_000, 5);
    values[10] = 1e12;
    values[5_000] = 1e-300;
    values[70_000] = 0;
    values[123_457] = 40;
    values[250_001] = Infinity;
    values[260_000] = Number.NaN;
    const blocks = new LossSketch(500, 200);
    // Blocks of uneven sizes, as the threads and the readers hand them over.
    for (let start = 0, size = 1; start < values.length; start += size, size = Math.min(2 * size + 3, 65_536))
      blocks.addRows(values.slice(start, start + size), start);
    const rows = sketchOf(values, 500, 200);
    assert.deepEqual(blocks.runningMean(), rows.runningMean());
    assert.deepEqual(blocks.perSampleSeries(), rows.perSampleSeries());
    assert.deepEqual(blocks.histogram(), rows.histogram());
    assert.deepEqual(blocks.worstRows(), rows.worstRows());
    assert.equal(blocks.underflowRow, rows.underflowRow);
    assert.equal(blocks.rows, rows.rows);
  });

  it('keeps every row exactly while there are fewer rows than points', () => {
    const values = losses(1000);
    const { x, y } = sketchOf(values, 4000).perSampleSeries();
    assert.deepEqual(
      x,
      Array.from({ length: 1000 }, (_, i) => i),
    );
    assert.deepEqual(y, Array.from(values));
  });

  it('stays within its point budgets for a million rows and keeps the extremes', () => {
    const values = losses(1_000_000);
    values[654_321] = 99;
    values[123_456] = 1e-9;
    const sketch = sketchOf(values, 4000, 2000);
    const { x, y } = sketch.perSampleSeries();
    assert.ok(x.length <= 4000 && x.length > 1000, `${x.length} points`);
    assert.ok(x.includes(654_321) && x.includes(123_456));
    assert.equal(Math.max(...(y as number[])), 99);
    for (let i = 1; i < x.length; i++) assert.ok(x[i]! > x[i - 1]!, 'rows in order');
    const rm = sketch.runningMean();
    assert.ok(rm.n.length <= 3 * 2000 + 3, `${rm.n.length} running-mean points`);
    assert.equal(rm.n.at(-1), 1_000_000);
    assert.ok(Math.abs(rm.mean.at(-1)! - sumOf(values) / values.length) < 1e-12);
  });

  it('ends the running mean at the mean, with the 95% band of the sample standard deviation', () => {
    const values = losses(10_000, 3);
    const streamed = sketchOf(values).runningMean();
    const mean = sumOf(values) / values.length;
    const variance = values.reduce((total, v) => total + (v - mean) ** 2, 0) / (values.length - 1);
    assert.equal(streamed.n.at(-1), values.length);
    assert.ok(Math.abs(streamed.mean.at(-1)! - mean) < 1e-14);
    assert.ok(Math.abs(streamed.upper.at(-1)! - (mean + 1.959963984540054 * Math.sqrt(variance / values.length))) < 1e-12);
  });

  it('counts every finite value once in the histogram, infinities apart, over the full range', () => {
    const values = Array.from(losses(50_000, 11));
    values.push(Infinity, Infinity, 1e4, 0);
    const hist = sketchOf(values).histogram();
    assert.equal(
      hist.counts.reduce((a, b) => a + b, 0),
      50_002,
    );
    assert.equal(hist.infinite, 2);
    assert.ok(hist.counts.length >= 10 && hist.counts.length <= 100, `${hist.counts.length} bins`);
    assert.ok(hist.edges[0]! <= 0 && hist.edges.at(-1)! > 1e4);
    for (let b = 1; b < hist.edges.length; b++) assert.ok(hist.edges[b]! > hist.edges[b - 1]!);
  });

  it('grows its range to the left for negative values (a Gaussian NLL can be below 0)', () => {
    const hist = sketchOf([5, 6, -40, 7]).histogram();
    assert.equal(
      hist.counts.reduce((a, b) => a + b, 0),
      4,
    );
    assert.ok(hist.edges[0]! <= -40);
  });

  it('names the worst rows, worst first, and where a float64 product would underflow', () => {
    const values = new Array<number>(2000).fill(Math.log(10));
    values[42] = 50;
    values[1500] = Infinity;
    const sketch = sketchOf(values);
    assert.deepEqual(sketch.worstRows().slice(0, 2), [
      { row: 1500, loss: Infinity },
      { row: 42, loss: 50 },
    ]);
    // 0.1^k underflows at k = 324; row 42 adds e^-50 on its way.
    assert.equal(sketch.underflowRow, 302);
  });
});
