import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CompensatedSum } from '../../../../src/engine/compensatedSum';
import {
  CLASSIFY_MAX_WIDTH,
  KERNEL_DECLINED,
  LogSumExpKernel,
  logSumExpKernel,
  MAX_KERNEL_MEMORY_BYTES,
  setKernelEnabled,
} from '../../../../src/engine/kernel/logSumExpKernel';
import { RowError } from '../../../../src/engine/rowError';
import { scoreRows, type RowScores } from '../../../../src/engine/rowScores';
import { readTensorFile } from '../../../../src/readers/readTensorFile';
import { fixturePath, readJson } from '../../../helpers/fixtures';
import { random } from '../../../helpers/random';

/** test/fixtures/kernel/small.json, written by gen_kernel.py from PyTorch in float64 on the stored values. */
const small: any = readJson(fixturePath('kernel', 'small.json'));
const IGNORE = -100;
const options = { kind: 'logits', ignoreIndex: IGNORE } as const;

/** |a - b| / max(1, |b|): relative, and absolute below 1. */
function error(a: number, b: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(1, Math.abs(b));
}

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

/** Runs `score` with the kernel off (the JavaScript loop), then on again. */
function withoutKernel<T>(score: () => T): T {
  setKernelEnabled(false);
  try {
    return score();
  } finally {
    setKernelEnabled(true);
  }
}

function kernel(): LogSumExpKernel {
  const compiled = logSumExpKernel();
  assert.ok(compiled, 'the kernel did not compile');
  return compiled;
}

function classified(n: number) {
  return { nll: new Float64Array(n), confidence: new Float64Array(n), predicted: new Int32Array(n) };
}

/** The worst error between two scorings of the same rows, predictions equal row by row. */
function worstRowError(a: RowScores, b: RowScores): { worst: number; at: string } {
  let worst = 0;
  let at = 'nowhere';
  for (let i = 0; i < a.n; i++) {
    assert.equal(a.predicted[i], b.predicted[i], `row ${i}: argmax`);
    for (const figure of ['nll', 'confidence'] as const) {
      const e = error(a[figure][i]!, b[figure][i]!);
      if (!(e <= worst)) [worst, at] = [e, `row ${i} ${figure}: ${a[figure][i]} vs ${b[figure][i]}`];
    }
  }
  return { worst, at };
}

function thrown(score: () => unknown): Error {
  try {
    score();
  } catch (e) {
    return e as Error;
  }
  assert.fail('nothing thrown');
}

/** Random rows of logits, some with -inf entries, some spanning +-1e4, some with ties. */
function randomRows(width: number, n: number, seed: number): Float64Array {
  const next = random(seed);
  const values = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    const row = values.subarray(i * width, (i + 1) * width);
    const kind = i % 5;
    for (let j = 0; j < width; j++) row[j] = kind === 2 ? (next() - 0.5) * 2e4 : (next() - 0.5) * 12;
    if (kind === 1) row[Math.floor(next() * width)]! += 45;
    if (kind === 3) for (let j = 1; j < width; j += 3) row[j] = -Infinity;
    if (kind === 4) row.fill(7.5, 0, Math.min(width, 2));
  }
  return values;
}

describe('classifier rows of few classes on the kernel, two rows at a time', () => {
  after(() => setKernelEnabled(true));

  for (const key of Object.keys(small)) {
    const c = small[key];
    const dtype = key.split('_')[1];
    it(`${c.rows} rows of ${c.width} ${dtype} logits with ties, -inf and ignored rows: per row and the mean cross-entropy as PyTorch gives them`, async () => {
      const logits = (await readTensorFile(fixturePath('kernel', `small_logits_${c.width}_${dtype}.npy`))).tensors[0]!.data as Float32Array | Float64Array;
      const stored = (await readTensorFile(fixturePath('kernel', `small_labels_${c.width}.npy`))).tensors[0]!.data;
      const labels = Float64Array.from({ length: c.rows }, (_, i) => Number(stored[i]));
      const out = classified(c.rows);
      const { bad, sum, compensation } = kernel().classify(logits, c.width, c.rows, c.width, labels, IGNORE, out);
      assert.equal(bad, -1);
      const fast = scoreRows(labels, logits, c.rows, c.width, 0, options);
      const slow = withoutKernel(() => scoreRows(labels, logits, c.rows, c.width, 0, options));
      // scoreRows took this path: the same numbers, bit for bit.
      assert.deepEqual([fast.nll, fast.confidence, fast.predicted], [out.nll, out.confidence, out.predicted]);
      for (let i = 0; i < c.rows; i++) {
        assert.ok(error(out.nll[i]!, c.nll[i]) <= 1e-12, `row ${i}: nll ${out.nll[i]} vs PyTorch ${c.nll[i]}`);
        if (c.ignored[i]) {
          assert.deepEqual([out.predicted[i], out.confidence[i], out.nll[i]], [-1, 0, 0], `row ${i}: ignored`);
          continue;
        }
        assert.equal(out.predicted[i], c.argmax[i], `row ${i}: argmax`);
        assert.ok(error(out.confidence[i]!, c.confidence[i]) <= 1e-12, `row ${i}: confidence ${out.confidence[i]} vs PyTorch ${c.confidence[i]}`);
      }
      const kept = c.ignored.filter((ignored: boolean) => !ignored).length;
      assert.ok(error(sum + compensation, c.nllSum) <= 1e-13 * Math.abs(c.nllSum), `sum ${sum + compensation} vs PyTorch ${c.nllSum}`);
      assert.ok(
        error(fast.oneHotCrossEntropy.value / kept, c.crossEntropy) <= 1e-12,
        `cross-entropy ${fast.oneHotCrossEntropy.value / kept} vs ${c.crossEntropy}`,
      );
      const { worst, at } = worstRowError(fast, slow);
      assert.ok(worst <= 1e-13, `kernel against the JavaScript loop: worst ${worst} at ${at}`);
      assert.ok(error(fast.oneHotCrossEntropy.value, slow.oneHotCrossEntropy.value) <= 1e-13 * Math.abs(slow.oneHotCrossEntropy.value));
    });
  }

  for (const width of [1, 2, 3, 4, 5, 10, 17, 31, 32]) {
    it(`random rows of ${width} logits, float64 and float32, contiguous and strided: within 1e-13 of the JavaScript loop`, () => {
      const n = 301;
      const values = randomRows(width, n, width);
      const next = random(width + 7);
      const labels = Float64Array.from({ length: n }, (_, i) => {
        if (i % 9 === 4) return IGNORE;
        for (;;) {
          const label = Math.floor(next() * width);
          if (values[i * width + label]! > -Infinity) return label;
        }
      });
      const stride = width + 3;
      const strided = new Float64Array(n * stride).fill(Number.NaN);
      for (let i = 0; i < n; i++) strided.set(values.subarray(i * width, (i + 1) * width), i * stride);
      for (const [rows, step] of [
        [values, width],
        [Float32Array.from(values), width],
        [strided, stride],
        [Float32Array.from(strided), stride],
      ] as const) {
        const what = `${rows.constructor.name}, stride ${step}`;
        const fast = scoreRows(labels, rows, n, width, 0, options, step);
        const slow = withoutKernel(() => scoreRows(labels, rows, n, width, 0, options, step));
        const { worst, at } = worstRowError(fast, slow);
        assert.ok(worst <= 1e-13, `${what}: worst ${worst} at ${at}`);
        assert.ok(error(fast.oneHotCrossEntropy.value, slow.oneHotCrossEntropy.value) <= 1e-13 * slow.oneHotCrossEntropy.value, what);
        // Labels as any array-like: a plain array and an Int32Array give the same.
        for (const other of [Array.from(labels), Int32Array.from(labels)]) {
          const again = scoreRows(other, rows, n, width, 0, options, step);
          assert.deepEqual([again.nll, again.predicted], [fast.nll, fast.predicted], `${what}, labels as ${other.constructor.name}`);
        }
      }
    });
  }

  it('sums across chunks as one pass does: 70,001 rows of 32 float64 logits, several chunks of its memory', () => {
    const width = CLASSIFY_MAX_WIDTH;
    const n = 70_001;
    const values = randomRows(width, n, 3);
    const next = random(4);
    const labels = Float64Array.from({ length: n }, (_, i) => (i % 13 === 0 ? IGNORE : 2 + 3 * Math.floor(next() * 10)));
    const fast = scoreRows(labels, values, n, width, 0, options);
    const slow = withoutKernel(() => scoreRows(labels, values, n, width, 0, options));
    const { worst, at } = worstRowError(fast, slow);
    assert.ok(worst <= 1e-13, `worst ${worst} at ${at}`);
    const reference = new CompensatedSum();
    for (let i = 0; i < n; i++) if (labels[i] !== IGNORE) reference.add(fast.nll[i]!);
    // Neumaier's sum in row order whatever the chunks: the same figure as adding the rows one by one.
    assert.equal(fast.oneHotCrossEntropy.value, reference.value);
    assert.ok(error(fast.oneHotCrossEntropy.value, slow.oneHotCrossEntropy.value) <= 1e-13 * slow.oneHotCrossEntropy.value);
    assert.ok(kernel().memoryBytes <= MAX_KERNEL_MEMORY_BYTES);
  });

  it('a label on a -inf logit is an infinite loss, and an infinite cross-entropy, as in the JavaScript loop', () => {
    const values = Float64Array.from([1, -Infinity, 3, 0, 2, -Infinity, 0.5, 0.5, -Infinity]);
    const labels = [1, 0, 2];
    const fast = scoreRows(labels, values, 3, 3, 0, options);
    const slow = withoutKernel(() => scoreRows(labels, values, 3, 3, 0, options));
    assert.equal(fast.nll[0], Infinity);
    assert.equal(fast.nll[2], Infinity);
    assert.deepEqual(Array.from(fast.predicted), [2, 1, 0]);
    assert.equal(fast.confidence[2], 0.5);
    assert.equal(fast.oneHotCrossEntropy.value, Infinity);
    assert.equal(slow.oneHotCrossEntropy.value, Infinity);
    assert.ok(worstRowError(fast, slow).worst <= 1e-13);
  });

  // Rows 0..6 with the bad one at an even row (first lane), an odd row (second lane) and the odd last row, paired with itself.
  for (const row of [2, 5, 6]) {
    for (const [what, spoil] of [
      ['a NaN logit', (r: Float64Array) => (r[3] = Number.NaN)],
      ['a NaN first logit', (r: Float64Array) => (r[0] = Number.NaN)],
      ['a +inf logit', (r: Float64Array) => (r[4] = Infinity)],
      ['every logit -inf', (r: Float64Array) => r.fill(-Infinity)],
    ] as const) {
      it(`${what} at row ${row} of 7 is refused at that row, with the JavaScript loop's message`, () => {
        const width = 10;
        const values = randomRows(width, 7, 11);
        spoil(values.subarray(row * width, (row + 1) * width));
        const labels = new Float64Array(7).fill(1);
        for (const rows of [values, Float32Array.from(values)]) {
          assert.equal(kernel().classify(rows, width, 7, width, labels, IGNORE, classified(7)).bad, row);
          const fast = thrown(() => scoreRows(labels, rows, 7, width, 50, options));
          const slow = thrown(() => withoutKernel(() => scoreRows(labels, rows, 7, width, 50, options)));
          assert.ok(fast instanceof RowError && fast.row === 50 + row, fast.message);
          assert.equal(fast.message, slow.message);
        }
        // The same row ignored is not looked at.
        labels[row] = IGNORE;
        const out = classified(7);
        assert.equal(kernel().classify(values, width, 7, width, labels, IGNORE, out).bad, -1);
        assert.equal(out.predicted[row], -1);
        assert.ok(
          worstRowError(
            scoreRows(labels, values, 7, width, 0, options),
            withoutKernel(() => scoreRows(labels, values, 7, width, 0, options)),
          ).worst <= 1e-13,
        );
      });
    }
  }

  for (const [label, reason] of [
    [10, 'label 10 is not a class index in 0..9'],
    [-1, 'label -1 is not a class index in 0..9'],
    [2.5, 'label 2.5 is not a class index in 0..9'],
    [Number.NaN, 'the label is missing (NaN)'],
    [Infinity, 'label Infinity is not a class index in 0..9'],
  ] as const) {
    it(`label ${label} is refused at its row with the JavaScript loop's message, in either lane`, () => {
      const width = 10;
      const values = randomRows(width, 7, 12);
      for (const row of [0, 3, 6]) {
        const labels = new Float64Array(7).fill(4);
        labels[row] = label;
        assert.equal(kernel().classify(values, width, 7, width, labels, IGNORE, classified(7)).bad, row);
        const fast = thrown(() => scoreRows(labels, values, 7, width, 20, options));
        const slow = thrown(() => withoutKernel(() => scoreRows(labels, values, 7, width, 20, options)));
        assert.ok(fast instanceof RowError && fast.row === 20 + row && fast.reason === reason, fast.message);
        assert.equal(fast.message, slow.message);
      }
    });
  }

  it('fewer labels than rows: the JavaScript loop names the first row without one', () => {
    const values = randomRows(3, 6, 15);
    const fast = thrown(() => scoreRows([0, 1, 2, 1], values, 6, 3, 0, options));
    const slow = thrown(() => withoutKernel(() => scoreRows([0, 1, 2, 1], values, 6, 3, 0, options)));
    assert.ok(fast instanceof RowError && fast.row === 4, fast.message);
    assert.equal(fast.message, slow.message);
  });

  it('an ignore index that is a class skips the rows with that label', () => {
    const values = randomRows(3, 6, 13);
    const labels = [0, 1, 2, 1, 0, 2];
    const fast = scoreRows(labels, values, 6, 3, 0, { kind: 'logits', ignoreIndex: 1 });
    const slow = withoutKernel(() => scoreRows(labels, values, 6, 3, 0, { kind: 'logits', ignoreIndex: 1 }));
    assert.deepEqual([fast.predicted[1], fast.predicted[3]], [-1, -1]);
    assert.ok(worstRowError(fast, slow).worst <= 1e-13);
    assert.ok(error(fast.oneHotCrossEntropy.value, slow.oneHotCrossEntropy.value) <= 1e-13);
  });

  it('writes nothing and declines when its memory cannot grow', () => {
    const fresh = LogSumExpKernel.compile()!;
    const values = randomRows(10, 20_000, 14);
    const out = classified(20_000);
    const grow = WebAssembly.Memory.prototype.grow;
    WebAssembly.Memory.prototype.grow = () => {
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    };
    try {
      assert.equal(fresh.classify(values, 10, 20_000, 10, new Float64Array(20_000), IGNORE, out).bad, KERNEL_DECLINED);
    } finally {
      WebAssembly.Memory.prototype.grow = grow;
    }
    assert.ok(out.nll.every((v) => v === 0) && out.predicted.every((v) => v === 0));
  });

  it('takes widths 1..32 only', () => {
    const compiled = kernel();
    assert.deepEqual(
      [0, 1, 32, 33, 1.5].map((w) => compiled.acceptsForClassify(w)),
      [false, true, true, false, false],
    );
    assert.throws(() => compiled.classify(new Float64Array(40), 33, 1, 33, [0], IGNORE, classified(1)), RangeError);
  });
});

describe("the kernel's log1p", () => {
  it('is within 1 ulp of Math.log1p over [0, 1e300]: 0, subnormals, tiny, around 1 + x = sqrt(2) and powers of 2, huge', () => {
    const next = random(21);
    const xs = [
      0,
      5e-324,
      1e-310,
      1e-300,
      1e-17,
      2 ** -53,
      2 ** -52,
      1e-10,
      1e-5,
      Math.SQRT2 - 1,
      Math.SQRT1_2,
      1,
      2,
      2 * Math.SQRT2 - 1,
      Math.E,
      3,
      31,
      1e3,
      1e15,
      1e300,
    ];
    for (let e = -60; e <= 60; e++) for (const f of [0.999999, 1, 1.000001, 1.4142, 1.4143]) xs.push(f * 2 ** e);
    for (let i = 0; i < 100_000; i++) xs.push(i % 4 === 0 ? next() * 1e-3 : i % 4 === 1 ? next() : i % 4 === 2 ? next() * 32 : Math.exp(next() * 690 - 345));
    const got = kernel().log1p(xs);
    let worst = 0;
    let at = 0;
    for (let i = 0; i < xs.length; i++) {
      const e = ulps(got[i]!, Math.log1p(xs[i]!));
      if (e > worst) [worst, at] = [e, xs[i]!];
    }
    assert.ok(worst <= 1, `${worst} ulps at x = ${at}: ${kernel().log1p([at])[0]} vs ${Math.log1p(at)}`);
    assert.equal(got[0], 0);
    assert.equal(got[1], 5e-324);
    assert.equal(got[4], 1e-17);
  });
});
