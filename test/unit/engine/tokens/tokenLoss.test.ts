import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { alignTargets, defaultAlignment, NO_TARGET, OFF_BY_ONE_NATS, offByOneWarning, type TokenAlignment } from '../../../../src/engine/tokens/alignment';
import { IndexedSums } from '../../../../src/engine/tokens/indexedSums';
import { tokenPerplexities } from '../../../../src/engine/tokens/perplexity';
import { TokenError } from '../../../../src/engine/tokens/tokenError';
import { scoreTokens, TokenLossState } from '../../../../src/engine/tokens/tokenLoss';
import { topTokens } from '../../../../src/engine/tokens/topTokens';
import { readTensorFile } from '../../../../src/readers/readTensorFile';
import type { Tensor } from '../../../../src/readers/tensor';
import { textSize, wordCount } from '../../../../src/readers/tokenizer/textSize';
import { fixturePath, readJson } from '../../../helpers/fixtures';
import { random } from '../../../helpers/random';
import { assertAllRelative, assertRelative, relative } from '../engineFixtures';

/** test/fixtures/lm/expected.json, written by gen_lm.py from PyTorch in float64 on the stored values. */
const expected: any = readJson(fixturePath('lm', 'expected.json'));
const { B, T, V } = expected as { B: number; T: number; V: number };
const TOLERANCE = 1e-9;

interface LoadedCase {
  readonly logits: Tensor;
  readonly targets: Tensor;
  readonly mask: Tensor | undefined;
}

/** The case's tensors, read by the extension's own readers (a .npy pair sits in one folder). */
async function load(c: any): Promise<LoadedCase> {
  const path = fixturePath('lm', c.file);
  const file = await readTensorFile(path);
  const find = (tensors: readonly Tensor[], name: string): Tensor => {
    const found = tensors.find((t) => t.name === name);
    if (!found) throw new Error(`${c.file}: no tensor '${name}' in ${tensors.map((t) => t.name).join(', ')}`);
    return found;
  };
  const targetTensors = c.file.endsWith('.npy') ? (await readTensorFile(`${dirname(path)}/${c.targets}.npy`)).tensors : file.tensors;
  return { logits: find(file.tensors, c.logits), targets: find(targetTensors, c.targets), mask: c.mask ? find(file.tensors, c.mask) : undefined };
}

function alignmentOf(loaded: LoadedCase, shift: boolean): TokenAlignment {
  return alignTargets(loaded.targets.data, B, T, { shift, vocabulary: V, ...(loaded.mask ? { mask: loaded.mask.data } : {}) });
}

function logitsOf(loaded: LoadedCase): Float32Array | Float64Array {
  const data = loaded.logits.data;
  assert.ok(data instanceof Float32Array || data instanceof Float64Array, `logits are ${data.constructor.name}`);
  return data;
}

/** One pass over every position. */
function onePass(logits: Float32Array | Float64Array, alignment: TokenAlignment): TokenLossState {
  const state = new TokenLossState(V, T);
  state.consume({ logits, from: 0, to: B * T, targets: alignment.targets });
  return state;
}

/** Expected per-token values are null where nothing is scored; the engine has NaN (or -1) there. */
function assertPerToken(actual: ArrayLike<number>, wanted: (number | null)[], what: string, missing = Number.NaN): void {
  assert.equal(actual.length, wanted.length, `${what}: length`);
  wanted.forEach((w, i) => {
    if (w === null) assert.ok(Object.is(actual[i], missing), `${what}[${i}]: ${actual[i]} where nothing is scored`);
    else assertRelative(actual[i]!, w, TOLERANCE, `${what}[${i}]`);
  });
}

describe('token loss of a tiny causal transformer: every file format and dtype against F.cross_entropy in float64', () => {
  for (const c of expected.cases) {
    it(`${c.file} (${c.dtype}, ${c.shift ? 'shifted' : 'unshifted'}): ${c.note || 'cross-entropy, perplexities, per token, per sequence, per position'}`, async () => {
      const loaded = await load(c);
      assert.deepEqual([...loaded.logits.shape], c.shape);
      assert.equal(loaded.logits.dtype, c.dtype);
      const alignment = alignmentOf(loaded, c.shift);
      assert.equal(alignment.scored, c.tokens);
      const state = new TokenLossState(V, T);
      const scores = state.consume({ logits: logitsOf(loaded), from: 0, to: B * T, targets: alignment.targets });

      assertRelative(state.crossEntropy, c.crossEntropy, TOLERANCE, 'cross-entropy');
      assertRelative(state.logLikelihood, c.logLikelihood, TOLERANCE, 'log-likelihood');
      assert.equal(state.tokens, c.tokens);
      assertRelative(state.accuracy, c.accuracy, TOLERANCE, 'top-1 accuracy');
      assertRelative(state.meanEntropy, c.meanEntropy, TOLERANCE, 'mean entropy');
      assertRelative(state.meanRank, c.meanRank, TOLERANCE, 'mean rank');

      const figures = tokenPerplexities(state);
      for (const key of [
        'crossEntropy',
        'logLikelihood',
        'tokens',
        'sequences',
        'perplexity',
        'meanSequencePerplexity',
        'geometricMeanSequencePerplexity',
        'bitsPerToken',
      ] as const) {
        assertRelative(figures[key], c[key], TOLERANCE, key);
      }
      assert.equal(figures.bitsPerByte, undefined);

      assertPerToken(scores.nll, c.tokenNll, 'token NLL');
      assertPerToken(scores.entropy, c.tokenEntropy, 'token entropy');
      assertPerToken(scores.topProbability, c.tokenTopProbability, 'top-1 probability');
      assert.deepEqual(
        [...scores.rank],
        c.tokenRank.map((r: number | null) => r ?? -1),
        'ranks',
      );

      const sequences = state.sequenceTotals(B);
      assertAllRelative(sequences.nll, c.sequenceNll, TOLERANCE, 'sequence NLL');
      assert.deepEqual([...sequences.tokens], c.sequenceTokens);
      assertPerToken(state.positionMeans(), c.positionMeanNll, 'position mean NLL');

      const table = state.calibration.table();
      assert.deepEqual(
        table.bins.map((bin) => bin.count),
        c.calibrationCounts,
      );
      assertRelative(table.ece, c.ece, TOLERANCE, 'ECE');
    });
  }

  it('top-5 tokens of a few positions: ids (ties to the lower id), probabilities, the target probability and rank', async () => {
    for (const c of expected.cases) {
      const logits = logitsOf(await load(c));
      for (const example of c.top5) {
        const top = topTokens(logits, example.position * V, V, 5, example.target);
        assert.deepEqual([...top.ids], example.ids, `${c.file} position ${example.position}`);
        assertAllRelative(top.probabilities, example.probabilities, TOLERANCE, `${c.file} position ${example.position} probabilities`);
        assertRelative(top.targetProbability!, example.targetProbability, TOLERANCE, 'target probability');
        assert.equal(top.targetRank, example.targetRank);
      }
    }
  });

  it('the alignment not chosen: its cross-entropy, and the off-by-one warning only where the data says so', async () => {
    const warned: string[] = [];
    for (const c of expected.cases) {
      const loaded = await load(c);
      const other = onePass(logitsOf(loaded), alignmentOf(loaded, !c.shift));
      assertRelative(other.crossEntropy, c.otherAlignmentCrossEntropy, TOLERANCE, `${c.file}: other alignment`);
      const warning = offByOneWarning({ shift: c.shift, crossEntropy: c.crossEntropy }, other.crossEntropy);
      if (warning) warned.push(`${c.file} ${c.shift}`);
    }
    // Only the "trained" logits scored unshifted; the random model's alignments are within a fraction of a nat.
    assert.deepEqual(warned, ['off_by_one.pt false']);
    const random = expected.cases.filter((c: any) => !c.file.startsWith('off_by_one'));
    const gap = Math.max(...random.map((c: any) => Math.abs(c.crossEntropy - c.otherAlignmentCrossEntropy)));
    assert.ok(gap < OFF_BY_ONE_NATS / 5, `untrained gap ${gap}`);
  });

  it('per-token log-probabilities with a mask give the same figures as the logits they came from', async () => {
    const want = expected.tokenLogprobs;
    const file = await readTensorFile(fixturePath('lm', want.file));
    const [logprobs, mask] = ['token_logprobs', 'attention_mask'].map((name) => file.tensors.find((t) => t.name === name)!);
    const state = new TokenLossState(V, T);
    state.consumeLogProbabilities(0, logprobs!.data, mask!.data);
    const figures = tokenPerplexities(state);
    for (const key of ['crossEntropy', 'logLikelihood', 'tokens', 'sequences', 'meanSequencePerplexity', 'geometricMeanSequencePerplexity'] as const) {
      assertRelative(figures[key], want[key], TOLERANCE, key);
    }
    assertAllRelative(state.sequenceTotals(B).nll, want.sequenceNll, TOLERANCE, 'sequence NLL');
    // No row of logits: accuracy and entropy are not defined.
    assert.ok(Number.isNaN(state.accuracy) && Number.isNaN(state.meanEntropy));
  });

  it('bits per byte, byte and word perplexity from the text size, words counted as Python re.split(r"\\s+") counts them', () => {
    const want = expected.textSize;
    const size = textSize(want.text);
    assert.deepEqual(size, { bytes: want.bytes, words: want.words });
    const state = new TokenLossState(1, 1);
    // Only the log-likelihood enters these figures.
    state.consumeLogProbabilities(0, [expected.cases[0].logLikelihood], undefined);
    const figures = tokenPerplexities(state, size);
    assertRelative(figures.bitsPerByte!, want.bitsPerByte, 1e-12, 'bits per byte');
    assertRelative(figures.bytePerplexity!, want.bytePerplexity, 1e-12, 'byte perplexity');
    assertRelative(figures.wordPerplexity!, want.wordPerplexity, 1e-12, 'word perplexity');
  });

  it("whitespace is what Python's \\s is, for every code point", () => {
    const whitespace = new Set<number>(expected.textSize.whitespace);
    for (let c = 0; c < 0x110000; c++) {
      if (c >= 0xd800 && c < 0xe000) continue;
      const words = wordCount(`a${String.fromCodePoint(c)}b`);
      if (words !== (whitespace.has(c) ? 2 : 1)) assert.fail(`U+${c.toString(16)}: ${words} words`);
    }
    assert.equal(wordCount(''), 1);
    assert.equal(wordCount(' a  b '), 4);
  });
});

describe('token loss: streaming', () => {
  /** Random block boundaries over 0..n (some blocks empty, some a single position). */
  function randomSplit(n: number, seed: number): number[] {
    const next = random(seed);
    const cuts = new Set<number>([0, n]);
    const count = 1 + Math.floor(next() * 12);
    for (let i = 0; i < count; i++) cuts.add(Math.floor(next() * (n + 1)));
    return [...cuts].sort((a, b) => a - b);
  }

  function summary(state: TokenLossState): number[] {
    const { nll, tokens } = state.sequenceTotals(B);
    const figures = tokenPerplexities(state);
    const table = state.calibration.table();
    return [
      state.crossEntropy,
      state.logLikelihood,
      state.tokens,
      state.accuracy,
      state.meanEntropy,
      state.meanRank,
      figures.meanSequencePerplexity,
      figures.geometricMeanSequencePerplexity,
      figures.sequences,
      table.ece,
      ...table.bins.map((b) => b.count),
      ...nll,
      ...tokens,
      ...state.positionMeans().filter((v) => !Number.isNaN(v)),
    ];
  }

  for (const file of ['causal_float16.pt', 'off_by_one.pt']) {
    it(`${file}: blocks merged in order, blocks consumed in turn, and blocks scored apart then added all equal one pass`, async () => {
      const c = expected.cases.find((e: any) => e.file === file);
      const loaded = await load(c);
      const logits = logitsOf(loaded);
      const alignment = alignmentOf(loaded, c.shift);
      const want = summary(onePass(logits, alignment));
      for (let seed = 1; seed <= 20; seed++) {
        const cuts = randomSplit(B * T, seed);
        const merged = new TokenLossState(V, T);
        const sequential = new TokenLossState(V, T);
        const scoredApart = new TokenLossState(V, T);
        for (let i = 0; i + 1 < cuts.length; i++) {
          const [from, to] = [cuts[i]!, cuts[i + 1]!];
          const block = { logits: logits.subarray(from * V, to * V), from, to, targets: alignment.targets.subarray(from, to) };
          const part = new TokenLossState(V, T);
          part.consume(block);
          // A state that crossed to another thread arrives as plain data.
          merged.merge(structuredClone(part));
          sequential.consume({ ...block, logits, offset: from * V });
          scoredApart.consumeScores(scoreTokens(block, V, T), block.targets);
        }
        for (const [name, state] of [
          ['merged', merged],
          ['sequential', sequential],
          ['scored apart', scoredApart],
        ] as const) {
          summary(state).forEach((v, i) => assert.ok(relative(v, want[i]!) <= 1e-12, `seed ${seed} ${name}: value ${i} ${v} vs ${want[i]}`));
        }
      }
    });
  }
});

describe('token loss: big vocabularies and bad logits', () => {
  it('rows of 262,144 logits: log-sum-exp, NLL and entropy agree with math.fsum to 1e-12', () => {
    const big = expected.bigVocabulary;
    const vocabulary = big.vocabulary;
    for (const row of big.rows) {
      const logits = Float32Array.from({ length: vocabulary }, (_, j) => (((j * row.multiplier) % row.modulus) - Math.floor(row.modulus / 2)) / row.scale);
      const rows = new Float32Array(row.targets.length * vocabulary);
      row.targets.forEach((_: number, i: number) => rows.set(logits, i * vocabulary));
      const scores = scoreTokens({ logits: rows, from: 0, to: row.targets.length, targets: row.targets }, vocabulary, row.targets.length);
      assertAllRelative(scores.nll, row.nll, 1e-12, 'NLL');
      for (const h of scores.entropy) assertRelative(h, row.entropy, 1e-12, 'entropy');
      assertRelative(topTokens(logits, 0, vocabulary, 3).logSumExp, row.logSumExp, 1e-12, 'log-sum-exp');
    }
  });

  it('a NaN, a +Infinity or an all -Infinity row is refused naming the batch and position; -Infinity logits elsewhere are probability 0', () => {
    const vocabulary = 4;
    const rows = (values: number[][]) => Float64Array.from(values.flat());
    const targets = [1, 1, 1];
    const refuse = (values: number[][], place: string, reason: RegExp) => {
      assert.throws(
        () => scoreTokens({ logits: rows(values), from: 0, to: 3, targets }, vocabulary, 2),
        (error: unknown) => error instanceof TokenError && error.place === place && reason.test(error.message) && error.message.startsWith(place),
      );
    };
    const fine = [0, 1, 2, 3];
    refuse([fine, fine, [0, Number.NaN, 0, 0]], 'batch 1, position 0', /logit 1 is NaN/);
    refuse([fine, [Infinity, 0, 0, 0], fine], 'batch 0, position 1', /logit 0 is \+Infinity/);
    refuse([[-Infinity, -Infinity, -Infinity, -Infinity], fine, fine], 'batch 0, position 0', /every logit is -Infinity/);
    const scores = scoreTokens({ logits: rows([[-Infinity, 0, Math.log(3), -Infinity], fine, fine]), from: 0, to: 3, targets }, vocabulary, 2);
    assertRelative(scores.nll[0]!, Math.log(4), 1e-15, 'NLL with -Infinity logits');
    assertRelative(scores.entropy[0]!, -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)), 1e-15, 'entropy with -Infinity logits');
    assert.throws(
      () => scoreTokens({ logits: rows([fine, fine, fine]), from: 0, to: 3, targets: [1, 4, 1] }, vocabulary, 2),
      /position 1: target 4 is not a token id in 0\.\.3/,
    );
    // The target at -Infinity: an infinite loss, as F.cross_entropy gives, kept as an infinite row.
    const state = new TokenLossState(vocabulary, 2);
    state.consume({ logits: rows([[0, -Infinity, 0, 0], fine, fine]), from: 0, to: 3, targets });
    assert.equal(state.crossEntropy, Infinity);
    assert.deepEqual(state.nll.infiniteRows, [0]);
  });

  it('a confident row keeps its tiny NLL and entropy: log1p of the rest, not log of 1 + rest', () => {
    // softmax([0, -40, -40]): the others' mass r = 2e^-40 is below float64's 1 + epsilon.
    const r = 2 * Math.exp(-40);
    const p0 = 1 / (1 + r);
    const p1 = Math.exp(-40) / (1 + r);
    const scores = scoreTokens({ logits: Float64Array.from([0, -40, -40]), from: 0, to: 1, targets: [0] }, 3, 1);
    assertRelative(scores.nll[0]!, Math.log1p(r), 1e-15, 'NLL');
    assertRelative(scores.entropy[0]!, p0 * Math.log1p(r) + 2 * p1 * (40 + Math.log1p(r)), 1e-14, 'entropy');
  });

  it("top-1 is torch.argmax: a target tied with a lower id's maximum ranks 0 yet is not the prediction", () => {
    const state = new TokenLossState(3, 2);
    const scores = state.consume({ logits: Float64Array.from([3, 3, 0, 3, 3, 0]), from: 0, to: 2, targets: [1, 0] });
    assert.deepEqual([...scores.rank], [0, 0]);
    assert.deepEqual([...scores.predicted], [0, 0]);
    assert.equal(state.accuracy, 0.5);
  });

  it('per-sequence sums merge with their compensation: what plain addition loses comes back', () => {
    const part = new IndexedSums();
    for (const v of [1, 1e100, 1, -1e100]) part.add(7, v);
    assert.equal(part.valueAt(7), 2);
    const merged = new IndexedSums();
    merged.add(3, 0.5);
    merged.merge(structuredClone(part));
    assert.equal(merged.valueAt(7), 2);
    assert.equal(merged.valueAt(3), 0.5);
    assert.deepEqual([merged.countAt(7), merged.countAt(3), merged.countAt(5), merged.countAt(100)], [4, 1, 0, 0]);
    // Indices below the first one seen move the range down.
    merged.add(0, 1);
    assert.deepEqual([merged.valueAt(0), merged.valueAt(3), merged.valueAt(7)], [1, 0.5, 2]);
  });

  it('top-k: k beyond V gives all V, ties go to the lower id, probabilities sum with the rest to 1', () => {
    const row = [1, 3, 3, -Infinity, 2];
    const top = topTokens(row, 0, 5, 9, 4);
    assert.deepEqual([...top.ids], [1, 2, 4, 0, 3]);
    const z = Math.log(Math.E + 2 * Math.E ** 3 + Math.E ** 2);
    assertRelative(top.logSumExp, z, 1e-15, 'log-sum-exp');
    assertAllRelative(top.probabilities, [Math.exp(3 - z), Math.exp(3 - z), Math.exp(2 - z), Math.exp(1 - z), 0], 1e-15, 'probabilities');
    assert.equal(top.targetRank, 2);
    assert.deepEqual([...topTokens(row, 0, 5, 1).ids], [1]);
    assert.deepEqual([...topTokens([5, 5, 5, 5, 5, 5], 0, 6, 3).ids], [0, 1, 2]);
    assert.throws(() => topTokens(row, 0, 5, 0), RangeError);
    assert.throws(() => topTokens([0, Number.NaN], 0, 2, 1), /logit 1 is NaN/);
  });
});

describe('target alignment', () => {
  // Two sequences of 4: -100 and a masked position in the first, the second whole.
  const targets = Float64Array.from([5, -100, 7, 8, 1, 2, 3, 4]);
  const mask = [1, 1, 0, 1, 1, 1, 1, 1];

  it('unshifted: position t scores target t unless it is -100 or masked', () => {
    const a = alignTargets(targets, 2, 4, { shift: false, vocabulary: 10, mask });
    assert.deepEqual([...a.targets], [5, NO_TARGET, NO_TARGET, 8, 1, 2, 3, 4]);
    assert.equal(a.scored, 6);
  });

  it('shifted: position t scores target t + 1 when that one is kept; the last position scores nothing', () => {
    const a = alignTargets(targets, 2, 4, { shift: true, vocabulary: 10, mask });
    assert.deepEqual([...a.targets], [NO_TARGET, NO_TARGET, 8, NO_TARGET, 2, 3, 4, NO_TARGET]);
    assert.equal(a.scored, 4);
    const unmasked = alignTargets(targets, 2, 4, { shift: true, vocabulary: 10 });
    assert.deepEqual([...unmasked.targets], [NO_TARGET, 7, 8, NO_TARGET, 2, 3, 4, NO_TARGET]);
  });

  it('another ignore index', () => {
    const a = alignTargets(Float64Array.from([0, 3, 1, 2]), 1, 4, { shift: false, vocabulary: 4, ignoreIndex: 3 });
    assert.equal(a.scored, 3);
    assert.deepEqual([...a.targets], [0, NO_TARGET, 1, 2]);
    // -100 is then an id like any other, and not one.
    assert.throws(() => alignTargets(Float64Array.from([0, -100]), 1, 2, { shift: false, vocabulary: 4, ignoreIndex: 3 }), /target id -100 /);
  });

  it('an id outside 0..V-1, not an integer or NaN is refused naming batch, position (of the target tensor) and the id', () => {
    const refuse = (values: number[], shift: boolean, place: string, reason: RegExp, m?: number[]) => {
      assert.throws(
        () => alignTargets(Float64Array.from(values), 2, 3, { shift, vocabulary: 10, ...(m ? { mask: m } : {}) }),
        (error: unknown) => error instanceof TokenError && error.place === place && reason.test(error.message) && error.message === `${place}: ${error.reason}`,
      );
    };
    refuse([1, 2, 3, 4, 10, 6], false, 'batch 1, position 1', /target id 10 is not a token id in 0\.\.9/);
    refuse([1, 2, 3, -1, 5, 6], false, 'batch 1, position 0', /target id -1 /);
    refuse([1, 2.5, 3, 4, 5, 6], true, 'batch 0, position 1', /target id 2\.5 /);
    refuse([1, 2, 3, 4, Number.NaN, 6], true, 'batch 1, position 1', /missing \(NaN\)/);
    refuse([1, 2, 3, 4, 5, 6], false, 'batch 0, position 2', /mask value -Infinity is neither 0 nor 1/, [1, 1, -Infinity, 1, 1, 1]);
    // Ids that are never scored are not checked: a shifted sequence's first token, a masked one, -100.
    alignTargets(Float64Array.from([99, 2, 3, 99, 5, -100]), 2, 3, { shift: true, vocabulary: 10 });
    alignTargets(Float64Array.from([1, 99, 3, 4, 5, 6]), 2, 3, { shift: false, vocabulary: 10, mask: [1, 0, 1, 1, 1, 1] });
  });

  it('shapes that do not fit are refused', () => {
    assert.throws(() => alignTargets([1, 2, 3], 2, 2, { shift: false, vocabulary: 4 }), /3 targets for a \[2, 2\] grid/);
    assert.throws(() => alignTargets([1, 2, 3, 0], 2, 2, { shift: false, vocabulary: 4, mask: [1, 1] }), /mask of 2 values/);
    assert.throws(() => alignTargets([], 0, 2, { shift: false, vocabulary: 4 }), RangeError);
  });

  it("the default alignment follows the target tensor's name, with a reason", () => {
    for (const name of ['labels', 'label_ids', 'targets', 'outputs.labels', 'LABELS']) assert.equal(defaultAlignment(name).shift, false, name);
    for (const name of ['input_ids', 'tokens', 'batch.input_ids']) assert.equal(defaultAlignment(name).shift, true, name);
    assert.equal(defaultAlignment('y').shift, false);
    for (const name of ['labels', 'input_ids', 'y']) assert.match(defaultAlignment(name).reason, /position t/);
  });

  it('off-by-one: a warning only when the other alignment is more than 1 nat lower', () => {
    assert.equal(offByOneWarning({ shift: false, crossEntropy: 3 }, 2.01), undefined);
    assert.equal(offByOneWarning({ shift: false, crossEntropy: 3 }, 3.5), undefined);
    assert.equal(offByOneWarning({ shift: false, crossEntropy: Number.NaN }, 1), undefined);
    assert.match(
      offByOneWarning({ shift: false, crossEntropy: 3 }, 1.5)!,
      /shifted \(position t scores target t \+ 1\) alignment gives a cross-entropy of 1\.500/,
    );
    assert.match(offByOneWarning({ shift: true, crossEntropy: 6 }, 2)!, /unshifted/);
  });
});
