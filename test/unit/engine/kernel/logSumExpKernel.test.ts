import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { after, describe, it } from 'node:test';
import { logSumExpKernel, MAX_KERNEL_MEMORY_BYTES, setKernelEnabled } from '../../../../src/engine/kernel/logSumExpKernel';
import { RowError } from '../../../../src/engine/rowError';
import { scoreRows, type RowScores } from '../../../../src/engine/rowScores';
import { alignTargets } from '../../../../src/engine/tokens/alignment';
import { TokenError } from '../../../../src/engine/tokens/tokenError';
import { scoreTokens, TokenLossState, type TokenScores } from '../../../../src/engine/tokens/tokenLoss';
import { readTensorFile } from '../../../../src/readers/readTensorFile';
import type { Tensor } from '../../../../src/readers/tensor';
import { fixturePath, readJson } from '../../../helpers/fixtures';
import { random } from '../../../helpers/random';

/** test/fixtures/kernel/expected.json, written by gen_kernel.py from PyTorch in float64 on the stored values. */
const expected: any = readJson(fixturePath('kernel', 'expected.json'));
/** test/fixtures/lm/expected.json: the language-model fixtures the token pass is already checked on. */
const lm: any = readJson(fixturePath('lm', 'expected.json'));

/** |a - b| / max(1, |b|): relative, and absolute below 1 (a confident row's entropy is 1e-17). */
function error(a: number, b: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(1, Math.abs(b));
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

function tensorData(tensor: Tensor): Float32Array | Float64Array {
  const data = tensor.data;
  assert.ok(data instanceof Float32Array || data instanceof Float64Array, `${tensor.name} is ${data.constructor.name}`);
  return data;
}

/** The worst error over every scored position between two scorings of the same block, and where. */
function worstTokenError(a: TokenScores, b: TokenScores): { worst: number; at: string } {
  let worst = 0;
  let at = 'nowhere';
  for (let i = 0; i < a.n; i++) {
    if (a.predicted[i]! < 0 && b.predicted[i]! < 0) continue;
    assert.equal(a.predicted[i], b.predicted[i], `position ${i}: argmax`);
    assert.equal(a.rank[i], b.rank[i], `position ${i}: rank`);
    for (const figure of ['nll', 'entropy', 'topProbability'] as const) {
      const e = error(a[figure][i]!, b[figure][i]!);
      if (!(e <= worst)) [worst, at] = [e, `position ${i} ${figure}: ${a[figure][i]} vs ${b[figure][i]}`];
    }
  }
  return { worst, at };
}

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

/**
 * Random rows of logits of one width: ordinary ones, confident ones, rows spanning +-1e4, rows with
 * -inf entries and rows whose smaller values fall past exp's range (-745) or into its subnormals.
 */
function randomRows(width: number, n: number, seed: number): Float64Array {
  const next = random(seed);
  const values = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    const row = values.subarray(i * width, (i + 1) * width);
    const kind = i % 6;
    for (let j = 0; j < width; j++) row[j] = kind === 2 ? (next() - 0.5) * 2e4 : (next() - 0.5) * 12;
    if (kind === 1) row[Math.floor(next() * width)]! += 45;
    if (kind === 3) for (let j = 0; j < width; j += 3) row[j] = -Infinity;
    if (kind === 4) for (let j = 0; j < width; j++) row[j] = -next() * 760;
    if (kind === 5) row[Math.floor(next() * width)] = 1e4;
  }
  return values;
}

describe('the WebAssembly log-sum-exp kernel', () => {
  after(() => setKernelEnabled(true));

  it('compiles here (Node has WebAssembly SIMD) and is switched off on request', () => {
    assert.ok(logSumExpKernel(), 'the kernel did not compile');
    setKernelEnabled(false);
    assert.equal(logSumExpKernel(), undefined);
    setKernelEnabled(true);
    assert.ok(logSumExpKernel());
  });

  for (const key of Object.keys(expected)) {
    const c = expected[key];
    it(`${c.rows} rows of ${c.width} ${key.split('_')[1]} logits: per row and the mean cross-entropy as PyTorch gives them, kernel and JavaScript loop alike`, async () => {
      const dtype = key.split('_')[1];
      const logits = tensorData((await readTensorFile(fixturePath('kernel', `logits_${c.width}_${dtype}.npy`))).tensors[0]!);
      const labels = (await readTensorFile(fixturePath('kernel', `labels_${c.width}.npy`))).tensors[0]!.data;
      const targets = Float64Array.from({ length: c.rows }, (_, i) => Number(labels[i]));
      const block = { logits, from: 0, to: c.rows, targets };
      const fast = scoreTokens(block, c.width, c.rows);
      const slow = withoutKernel(() => scoreTokens(block, c.width, c.rows));
      for (const [scores, path] of [
        [fast, 'kernel'],
        [slow, 'JavaScript'],
      ] as const) {
        for (let i = 0; i < c.rows; i++) {
          assert.ok(error(scores.nll[i]!, c.nll[i]) <= 1e-12, `${path}, row ${i}: nll ${scores.nll[i]} vs PyTorch ${c.nll[i]}`);
          // The log-sum-exp itself: nll + z_y.
          const lse = scores.nll[i]! + logits[i * c.width + targets[i]!]!;
          assert.ok(error(lse, c.logsumexp[i]) <= 1e-12, `${path}, row ${i}: log-sum-exp ${lse} vs PyTorch ${c.logsumexp[i]}`);
          // PyTorch's entr(softmax) loses -p log p of the top class (p rounds to 1): 1e-12 below 1 is absolute.
          assert.ok(error(scores.entropy[i]!, c.entropy[i]) <= 1e-12, `${path}, row ${i}: entropy ${scores.entropy[i]} vs PyTorch ${c.entropy[i]}`);
          assert.equal(scores.predicted[i], c.argmax[i], `${path}, row ${i}: argmax`);
          assert.equal(scores.rank[i], c.above[i], `${path}, row ${i}: logits above the label's`);
        }
        const state = new TokenLossState(c.width, c.rows);
        state.consumeScores(scores, targets);
        assert.ok(error(state.crossEntropy, c.crossEntropy) <= 1e-12, `${path}: cross-entropy ${state.crossEntropy} vs PyTorch ${c.crossEntropy}`);
      }
      const { worst, at } = worstTokenError(fast, slow);
      assert.ok(worst <= 1e-13, `kernel against the JavaScript loop: worst ${worst} at ${at}`);
      if (c.width <= 1000) {
        // The classifier's path: the same rows through scoreRows.
        const rows = scoreRows(targets, logits, c.rows, c.width, 0, { kind: 'logits', ignoreIndex: -100 });
        const reference = withoutKernel(() => scoreRows(targets, logits, c.rows, c.width, 0, { kind: 'logits', ignoreIndex: -100 }));
        for (let i = 0; i < c.rows; i++) assert.ok(error(rows.nll[i]!, c.nll[i]) <= 1e-12, `scoreRows, row ${i}: nll ${rows.nll[i]} vs PyTorch ${c.nll[i]}`);
        const rowWorst = worstRowError(rows, reference);
        assert.ok(rowWorst.worst <= 1e-13, `scoreRows, kernel against the JavaScript loop: worst ${rowWorst.worst} at ${rowWorst.at}`);
      }
    });
  }

  for (const [width, n] of [
    [10, 600],
    [1000, 60],
    [32_000, 40],
    [262_144, 6],
  ] as const) {
    it(`random rows of ${width} logits, +-1e4, -inf and underflowing entries: the worst row within 1e-13 of the JavaScript loop`, (t) => {
      // 40 rows of 32000 float64s are 10 MB: more than one chunk of the kernel's memory.
      const values = randomRows(width, n, width);
      const next = random(width + 1);
      const targets = Float64Array.from({ length: n }, (_, i) => {
        for (;;) {
          const target = Math.floor(next() * width);
          if (values[i * width + target]! > -Infinity) return i % 7 === 3 ? -1 : target;
        }
      });
      for (const logits of [values, Float32Array.from(values)]) {
        const block = { logits, from: 0, to: n, targets };
        const fast = scoreTokens(block, width, n);
        const slow = withoutKernel(() => scoreTokens(block, width, n));
        const { worst, at } = worstTokenError(fast, slow);
        assert.ok(worst <= 1e-13, `${logits.constructor.name}: worst ${worst} at ${at}`);
        t.diagnostic(`${logits.constructor.name}: worst relative error ${worst.toExponential(2)} (${at})`);
        for (let i = 0; i < n; i++) assert.equal(Number.isNaN(fast.nll[i]!), targets[i] === -1, `row ${i}: scored only with a target`);
      }
      assert.ok(logSumExpKernel()!.memoryBytes <= MAX_KERNEL_MEMORY_BYTES);
    });
  }

  it('refuses a NaN, a +inf and a row of -inf at the same row with the same message as the JavaScript loop', () => {
    const width = 37;
    for (const [bad, what] of [
      [Number.NaN, 'NaN'],
      [Infinity, '+Infinity'],
      [-Infinity, 'every logit -Infinity'],
    ] as const) {
      const values = randomRows(width, 9, 5);
      if (what.startsWith('every')) values.fill(-Infinity, 6 * width, 7 * width);
      else values[6 * width + 11] = bad;
      const targets = new Float64Array(9).fill(2);
      const block = { logits: values, from: 0, to: 9, targets };
      const thrown = (score: () => unknown): Error => {
        try {
          score();
        } catch (e) {
          return e as Error;
        }
        assert.fail(`${what}: nothing thrown`);
      };
      const fast = thrown(() => scoreTokens(block, width, 9));
      const slow = thrown(() => withoutKernel(() => scoreTokens(block, width, 9)));
      assert.ok(fast instanceof TokenError, `${what}: ${fast.message}`);
      assert.equal(fast.message, slow.message);
      const rows = thrown(() => scoreRows(targets, values, 9, width, 100, { kind: 'logits', ignoreIndex: -100 }));
      const rowsSlow = thrown(() => withoutKernel(() => scoreRows(targets, values, 9, width, 100, { kind: 'logits', ignoreIndex: -100 })));
      assert.ok(rows instanceof RowError, `${what}: ${rows.message}`);
      assert.equal(rows.message, rowsSlow.message);
      assert.match(rows.message, /106/);
    }
  });

  it('leaves the rows to the JavaScript loop when its memory cannot grow', () => {
    // One row of 4,000,000 float64s needs 64 MB of memory: more than any test above has grown it to.
    const width = 4_000_000;
    const logits = randomRows(width, 1, 9);
    const block = { logits, from: 0, to: 1, targets: [17] };
    const kernel = logSumExpKernel()!;
    const before = kernel.memoryBytes;
    const grow = WebAssembly.Memory.prototype.grow;
    WebAssembly.Memory.prototype.grow = () => {
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    };
    try {
      const scores = scoreTokens(block, width, 1);
      assert.equal(kernel.memoryBytes, before);
      const reference = withoutKernel(() => scoreTokens(block, width, 1));
      assert.deepEqual([scores.nll[0], scores.entropy[0], scores.rank[0]], [reference.nll[0], reference.entropy[0], reference.rank[0]]);
      const rows = scoreRows([17], logits, 1, width, 0, { kind: 'logits', ignoreIndex: -100 });
      assert.equal(rows.nll[0], withoutKernel(() => scoreRows([17], logits, 1, width, 0, { kind: 'logits', ignoreIndex: -100 })).nll[0]);
    } finally {
      WebAssembly.Memory.prototype.grow = grow;
    }
  });

  it("gives the JavaScript loop's numbers on every language-model fixture, position by position", async () => {
    for (const c of lm.cases) {
      const path = fixturePath('lm', c.file);
      const file = await readTensorFile(path);
      const find = (tensors: readonly Tensor[], name: string) => tensors.find((t) => t.name === name)!;
      const targetTensors = c.file.endsWith('.npy') ? (await readTensorFile(`${dirname(path)}/${c.targets}.npy`)).tensors : file.tensors;
      const mask = c.mask ? find(file.tensors, c.mask).data : undefined;
      const alignment = alignTargets(find(targetTensors, c.targets).data, lm.B, lm.T, { shift: c.shift, vocabulary: lm.V, ...(mask ? { mask } : {}) });
      const block = { logits: tensorData(find(file.tensors, c.logits)), from: 0, to: lm.B * lm.T, targets: alignment.targets };
      const fast = scoreTokens(block, lm.V, lm.T);
      const slow = withoutKernel(() => scoreTokens(block, lm.V, lm.T));
      const { worst, at } = worstTokenError(fast, slow);
      assert.ok(worst <= 1e-13, `${c.file}: worst ${worst} at ${at}`);
    }
  });
});
