import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_SLICES, SliceState } from '../../../src/engine/slices';
import { fixturePath, readJson } from '../../helpers/fixtures';

const expected = readJson<{ bySlice: { column: string; slices: { value: string; rows: number; crossEntropy: number }[] }[] }>(
  fixturePath('slices', 'expected.json'),
);

describe('SliceState', () => {
  it('refuses more values than a column keeps', () => {
    const values = Array.from({ length: MAX_SLICES + 1 }, (_, i) => `v${i}`);
    assert.throws(() => new SliceState([{ name: 'many', values }]), /at most 64 slices in column 'many'/);
    assert.throws(() => new SliceState(Array.from({ length: 5 }, (_, i) => ({ name: `c${i}`, values: ['a'] }))), /at most 4 slice columns/);
  });

  it('folds codes past the values into "other", leaves out skipped rows, and blocks add up to one pass', () => {
    const split = expected.bySlice.find((table) => table.column === 'split')!;
    const values = split.slices.map((slice) => slice.value);
    // Rows of each slice with the slice's mean as their loss, a code past the end for "other".
    const codes: number[] = [];
    const losses: number[] = [];
    split.slices.forEach((slice, code) => {
      for (let i = 0; i < slice.rows; i++) {
        codes.push(code);
        losses.push(slice.crossEntropy);
      }
    });
    codes.push(200, 201, 1);
    losses.push(1, 3, 99);
    const labels = codes.map(() => 0);
    const predicted = codes.map((_, i) => (i % 2 === 0 ? 0 : 1));
    const skipLast = (i: number) => i === codes.length - 1;
    const whole = new SliceState([{ name: 'split', values }]);
    whole.add([codes], losses, labels, predicted, skipLast);
    const [table] = whole.tables();
    assert.deepEqual(
      table!.slices.map((slice) => [slice.value, slice.rows]),
      [...split.slices.map((slice) => [slice.value, slice.rows]), ['other', 2]],
    );
    split.slices.forEach((slice, s) => assert.ok(Math.abs(table!.slices[s]!.crossEntropy - slice.crossEntropy) <= 1e-15 * slice.crossEntropy));
    const other = table!.slices.at(-1)!;
    assert.equal(other.crossEntropy, 2);
    assert.equal(other.crossEntropyStdError, Math.SQRT2 / Math.SQRT2);
    assert.equal(other.accuracy, 0.5);
  });
});
