import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIGURE_ARGMAX, FIGURE_MAX, logSumExpKernel, ROW_FIGURES, setKernelEnabled, type HalfDType } from '../../../../src/engine/kernel/logSumExpKernel';
import { alignTargets, NO_TARGET } from '../../../../src/engine/tokens/alignment';
import { scoreTokens, type TokenScores } from '../../../../src/engine/tokens/tokenLoss';
import { widenHalves, type HalfLogits } from '../../../../src/engine/tokens/tokenLogits';
import { allocate, decodeInto } from '../../../../src/readers/dtypes';
import { readTensorFile } from '../../../../src/readers/readTensorFile';
import { readStoredHalves } from '../../../../src/readers/storedElements';
import { fixturePath, readJson } from '../../../helpers/fixtures';
import { random } from '../../../helpers/random';

/** test/fixtures/lm/expected.json: PyTorch's figures for the language-model fixtures. */
const lm: any = readJson(fixturePath('lm', 'expected.json'));

const kernel = logSumExpKernel();
const DTYPES: readonly HalfDType[] = ['bfloat16', 'float16'];

/** The readers' decoding of 16-bit patterns (little-endian bytes, as this host's). */
function decoded(halves: Uint16Array, dtype: HalfDType): Float32Array {
  const out = allocate(dtype, halves.length) as Float32Array;
  decodeInto(dtype, new Uint8Array(halves.buffer, halves.byteOffset, halves.byteLength), true, halves.length, out, 0);
  return out;
}

function withoutKernel<T>(run: () => T): T {
  setKernelEnabled(false);
  try {
    return run();
  } finally {
    setKernelEnabled(true);
  }
}

/** A half's bit pattern for a finite value of roughly [-2^(span-1), 2^(span-1)) (float16: some subnormal). */
function randomHalf(dtype: HalfDType, next: () => number): number {
  const sign = next() < 0.5 ? 0x8000 : 0;
  if (dtype === 'bfloat16') {
    // Exponents 120..131: magnitudes 2^-7 .. 2^5, as logits are.
    return sign | ((120 + Math.floor(12 * next())) << 7) | Math.floor(128 * next());
  }
  // Exponents 0 (subnormal) .. 19: magnitudes up to 2^5.
  return sign | (Math.floor(20 * next()) << 10) | Math.floor(1024 * next());
}

const MINUS_INFINITY = { bfloat16: 0xff80, float16: 0xfc00 } as const;
const PLUS_INFINITY = { bfloat16: 0x7f80, float16: 0x7c00 } as const;
const NAN = { bfloat16: 0x7fc1, float16: 0x7e01 } as const;

/** n rows of `width` random halves, some -Infinity, with random targets (some none). */
function randomBlock(dtype: HalfDType, n: number, width: number, seed: number): { halves: Uint16Array; targets: Int32Array } {
  const next = random(seed);
  const halves = new Uint16Array(n * width);
  for (let i = 0; i < halves.length; i++) halves[i] = next() < 0.05 ? MINUS_INFINITY[dtype] : randomHalf(dtype, next);
  const targets = new Int32Array(n);
  for (let i = 0; i < n; i++) targets[i] = next() < 0.15 ? NO_TARGET : Math.floor(width * next());
  // A row whose target is itself -Infinity (an infinite loss), when there is a second row.
  if (n > 1 && targets[1] !== NO_TARGET) halves[width + targets[1]!] = MINUS_INFINITY[dtype];
  return { halves, targets };
}

/** scoreTokens on the raw halves and on their decoded float32s. */
function bothWays(logits: HalfLogits, n: number, width: number, targets: Int32Array): { halves: TokenScores; floats: TokenScores } {
  const block = { from: 0, to: n, targets };
  return {
    halves: scoreTokens({ ...block, logits }, width, n),
    floats: scoreTokens({ ...block, logits: decoded(logits.halves, logits.dtype) }, width, n),
  };
}

/** The error scoreTokens throws, or undefined. */
function thrown(run: () => unknown): Error | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

describe('the kernel on bfloat16 and float16 logits read as stored', () => {
  it('is available here (Node has WebAssembly SIMD)', () => {
    assert.ok(kernel);
  });

  for (const dtype of DTYPES) {
    it(`widens all 65,536 ${dtype} bit patterns to the float32 the readers decode`, () => {
      const all = new Uint16Array(65536).map((_, bits) => bits);
      const expected = decoded(all, dtype);
      const expectedBits = new Uint32Array(expected.buffer);
      for (const scalar of [false, true]) {
        const actual = kernel!.widenHalves(all, dtype, scalar);
        const actualBits = new Uint32Array(actual.buffer);
        let nans = 0;
        for (let bits = 0; bits < 65536; bits++) {
          const where = `${dtype} 0x${bits.toString(16)}${scalar ? ' alone' : ''}`;
          if (Number.isNaN(expected[bits])) {
            nans++;
            assert.ok(Number.isNaN(actual[bits]), `${where}: ${actual[bits]}, not NaN`);
          } else assert.equal(actualBits[bits], expectedBits[bits], `${where}: ${actual[bits]} vs ${expected[bits]}`);
        }
        // 2 signs x 127 (bfloat16) or 1023 (float16) NaN fractions.
        assert.equal(nans, dtype === 'bfloat16' ? 254 : 2046);
      }
      // The engine's own widening, used when the kernel is off, is the readers' too.
      const widened = widenHalves({ halves: all, dtype }, 0, 65536);
      for (let bits = 0; bits < 65536; bits++) assert.ok(Object.is(widened[bits], expected[bits]), `${dtype} 0x${bits.toString(16)}`);
    });

    it(`reads every finite ${dtype} bit pattern in a row's vector loop as the readers decode it`, () => {
      // Row r holds pattern r at column r mod 4 (every lane) among -Infinity: its maximum is that value.
      const finite = Array.from({ length: 65536 }, (_, bits) => bits).filter((bits) => Number.isFinite(decoded(new Uint16Array([bits]), dtype)[0]));
      const n = finite.length;
      const halves = new Uint16Array(4 * n).fill(MINUS_INFINITY[dtype]);
      const labels = new Int32Array(n);
      finite.forEach((bits, r) => {
        halves[4 * r + (r % 4)] = bits;
        labels[r] = r % 4;
      });
      const expected = decoded(new Uint16Array(finite), dtype);
      let seen = 0;
      const bad = kernel!.scoreHalves(halves, dtype, 0, 4, n, 4, labels, (figures, first, rows) => {
        for (let r = 0; r < rows; r++) {
          const row = first + r;
          const where = `${dtype} 0x${finite[row]!.toString(16)}`;
          assert.ok(Object.is(figures[ROW_FIGURES * r + FIGURE_MAX], expected[row]), `${where}: ${figures[ROW_FIGURES * r + FIGURE_MAX]} vs ${expected[row]}`);
          assert.equal(figures[ROW_FIGURES * r + FIGURE_ARGMAX], row % 4, where);
          seen++;
        }
      });
      assert.equal(bad, -1);
      assert.equal(seen, n);
      // Every pattern but the 2 infinities and the NaNs.
      assert.equal(n, 65536 - 2 - (dtype === 'bfloat16' ? 254 : 2046));
    });

    it(`scores random ${dtype} rows of widths 1..40 and 32000 with the figures of their float32s, bit for bit`, () => {
      const widths = [...Array.from({ length: 40 }, (_, i) => i + 1), 32000];
      for (const width of widths) {
        const n = width === 32000 ? 6 : 9;
        const { halves, targets } = randomBlock(dtype, n, width, 1000 + width);
        const logits = { halves, dtype };
        const onKernel = bothWays(logits, n, width, targets);
        assert.deepStrictEqual(onKernel.halves, onKernel.floats, `${dtype} width ${width}, kernel`);
        const inJavaScript = withoutKernel(() => bothWays(logits, n, width, targets));
        assert.deepStrictEqual(inJavaScript.halves, inJavaScript.floats, `${dtype} width ${width}, JavaScript`);
        // Some rows were scored, and the -Infinity target's loss is +Infinity.
        assert.ok(
          onKernel.halves.nll.some((v) => Number.isFinite(v)),
          `${dtype} width ${width}: nothing scored`,
        );
        if (width > 1 && targets[1] !== NO_TARGET) assert.equal(onKernel.halves.nll[1], Infinity);
      }
    });

    it(`scores a ${dtype} block of several of the kernel's memory chunks, each row where it belongs`, () => {
      // 140 rows of 32000 halves are 8.96 MB: more than one 8 MB chunk.
      const n = 140;
      const width = 32000;
      const { halves, targets } = randomBlock(dtype, n, width, 7);
      const offset = 3 * width;
      const padded = new Uint16Array(offset + halves.length);
      padded.set(halves, offset);
      const scores = scoreTokens({ logits: { halves: padded, dtype }, offset, from: 0, to: n, targets }, width, n);
      const floats = scoreTokens({ logits: decoded(halves, dtype), from: 0, to: n, targets }, width, n);
      assert.deepStrictEqual(scores, floats);
    });

    it(`refuses a ${dtype} row with NaN, +Infinity or only -Infinity at the same place with the same message`, () => {
      const n = 12;
      const width = 37;
      for (const [bits, row, column] of [
        [NAN[dtype], 5, 30],
        [NAN[dtype], 0, 36],
        [PLUS_INFINITY[dtype], 7, 2],
        [PLUS_INFINITY[dtype], 11, 0],
        [MINUS_INFINITY[dtype], 4, -1],
      ] as const) {
        const { halves, targets } = randomBlock(dtype, n, width, row * 100 + column);
        targets.fill(3);
        if (column >= 0) halves[row * width + column] = bits;
        else halves.fill(bits, row * width, (row + 1) * width);
        const floats = decoded(halves, dtype);
        const where = `${dtype} 0x${bits.toString(16)} at row ${row}`;
        for (const kernelOn of [true, false]) {
          const run = (logits: HalfLogits | Float32Array) => () => scoreTokens({ logits, from: 8, to: 8 + n, targets }, width, 4);
          const onHalves = kernelOn ? thrown(run({ halves, dtype })) : withoutKernel(() => thrown(run({ halves, dtype })));
          const onFloats = kernelOn ? thrown(run(floats)) : withoutKernel(() => thrown(run(floats)));
          assert.ok(onHalves && onFloats, `${where}: not refused`);
          assert.equal(onHalves.message, onFloats.message, where);
          const expected = column < 0 ? 'every logit is -Infinity' : `logit ${column} is ${bits === NAN[dtype] ? 'NaN' : '+Infinity'}`;
          assert.equal(onHalves.message, `batch ${Math.floor((8 + row) / 4)}, position ${(8 + row) % 4}: ${expected}`, where);
        }
      }
    });
  }

  it("gives PyTorch's token losses on the bfloat16 and float16 fixtures, read from their files as halves", async () => {
    let checked = 0;
    for (const c of lm.cases) {
      if (c.dtype !== 'bfloat16' && c.dtype !== 'float16') continue;
      const path = fixturePath('lm', c.file);
      const file = await readTensorFile(path, undefined, { leaveInFileFrom: 0 });
      const logitsTensor = file.tensors.find((t) => t.name === c.logits)!;
      const stored = logitsTensor.stored;
      // A member deflated in an archive is not left in its file.
      if (!stored) continue;
      const raw = readStoredHalves(stored, 0, stored.count);
      assert.ok(raw, `${c.file}: not read as halves`);
      const targetFile = c.file.endsWith('.npy') ? await readTensorFile(path.replace(/logits\.npy$/, `${c.targets}.npy`)) : file;
      const ids = targetFile.tensors.find((t) => t.name === c.targets)!.data;
      const mask = c.mask ? file.tensors.find((t) => t.name === c.mask)!.data : undefined;
      const { targets } = alignTargets(ids, lm.B, lm.T, { shift: c.shift, vocabulary: lm.V, ...(mask ? { mask } : {}) });
      const block = { from: 0, to: lm.B * lm.T, targets };
      const scores = scoreTokens({ ...block, logits: raw }, lm.V, lm.T);
      assert.deepStrictEqual(scores, scoreTokens({ ...block, logits: logitsTensor.data as Float32Array }, lm.V, lm.T), c.file);
      // Per position; null where no token is scored.
      assert.equal(scores.nll.length, c.tokenNll.length, c.file);
      c.tokenNll.forEach((expected: number | null, i: number) => {
        const v = scores.nll[i]!;
        if (expected === null) assert.ok(Number.isNaN(v), `${c.file} position ${i}: ${v}`);
        else assert.ok(Math.abs(v - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${c.file} position ${i}: ${v} vs ${expected}`);
      });
      checked++;
    }
    assert.ok(checked >= 3, `${checked} half fixtures checked`);
  });
});
