// A language model's files through analyzeSource: every fixture of test/fixtures/lm against what
// PyTorch computed on it (gen_lm.py), the tokenizer beside them, a big file left on disk, and
// bad files refused in one line.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Analysis, AnalysisOptions, LanguageModelAnalysis } from '../../../../src/analysis/results';
import { analyzeSource } from '../../../../src/analysis/sources/analyzeSource';
import { defaultAlignment } from '../../../../src/roles/vocabulary';
import { fixtureArrays, LM_FIGURES, lmCase, lmExpected, lmFixture, safetensorsFile, writeBigLogits } from '../../../helpers/languageModelFiles';
import { assertAllRelative, assertRelative } from '../../engine/engineFixtures';

const TOLERANCE = 1e-9;
const { B, T, V } = lmExpected as { B: number; T: number; V: number };
const folder = mkdtempSync(join(tmpdir(), 'likelihood-lens-lm-'));
after(() => rmSync(folder, { recursive: true, force: true }));

function languageModel(analysis: Analysis): LanguageModelAnalysis {
  assert.equal(analysis.task, 'lm', `read as ${analysis.task}`);
  return analysis as LanguageModelAnalysis;
}

/** The case's own alignment, asked for only when its target's name calls for the other one. */
function optionsFor(c: any): AnalysisOptions {
  return defaultAlignment(c.targets).shift === c.shift ? {} : { shift: c.shift };
}

async function analyze(path: string, options: AnalysisOptions = {}, stream = {}): Promise<LanguageModelAnalysis> {
  return languageModel(await analyzeSource({ kind: 'path', path }, options, {}, stream));
}

/** Per scored position of a case, in file order: flat index, sequence, position, loss, rank and the target id. */
function scoredTokens(c: any): { flat: number; sequence: number; position: number; loss: number; rank: number; id: number }[] {
  const ids = new Map<number, number[]>(c.tokenizer.sequences.map((s: any) => [s.sequence, [...s.ids]]));
  const out = [];
  for (let flat = 0; flat < B * T; flat++) {
    if (c.tokenNll[flat] === null) continue;
    const sequence = Math.floor(flat / T);
    out.push({ flat, sequence, position: flat % T, loss: c.tokenNll[flat], rank: c.tokenRank[flat] + 1, id: ids.get(sequence)!.shift()! });
  }
  return out;
}

async function rejects(path: string, options: AnalysisOptions, ...parts: string[]): Promise<void> {
  await assert.rejects(analyzeSource({ kind: 'path', path }, options), (error: Error) => {
    assert.ok(!error.message.includes('\n'), `one line: ${error.message}`);
    for (const part of parts) assert.ok(error.message.includes(part), `'${part}' in: ${error.message}`);
    return true;
  });
}

describe('language models: every fixture through analyzeSource, against PyTorch in float64', () => {
  for (const c of lmExpected.cases) {
    it(`${c.file} (${c.dtype}, ${c.shift ? 'shifted' : 'unshifted'}${c.mask ? `, ${c.mask}` : ''})`, async () => {
      const a = await analyze(lmFixture(c.file), optionsFor(c));
      const { summary, roles } = a;
      assert.equal(roles.predictions, c.logits);
      assert.equal(roles.predictionKind, 'logits');
      assert.equal(roles.target, c.targets);
      assert.equal(roles.mask, c.mask ?? undefined);
      assert.equal(roles.shift, c.shift);
      assert.deepEqual(roles.shape, { batch: B, length: T, vocabulary: V });
      assert.equal(roles.ignoreIndex, -100);
      assert.equal(a.file.rows, B * T);
      assert.equal(summary.n, c.tokens);
      assert.equal(summary.tokens, c.tokens);
      assert.equal(summary.sequences, c.sequences);
      for (const key of LM_FIGURES) {
        assertRelative(summary[key]!, c[key], TOLERANCE, key);
      }
      assertRelative(summary.expectedCalibrationError!, c.ece, TOLERANCE, 'ECE');
      assertRelative(summary.log10Likelihood, c.logLikelihood / Math.LN10, TOLERANCE, 'log10 likelihood');
      assertRelative(
        Math.log10(summary.likelihoodMantissa) + summary.likelihoodExponent,
        c.logLikelihood / Math.LN10,
        TOLERANCE,
        'likelihood as mantissa x 10^exponent',
      );
      assert.ok(summary.likelihoodMantissa >= 1 && summary.likelihoodMantissa < 10);

      // Sequences, positions, calibration, worst tokens, the token view.
      const listed = c.sequenceTokens.flatMap((tokens: number, s: number) => (tokens > 0 ? [s] : []));
      assert.deepEqual(
        a.sequences.map((s) => s.sequence),
        listed,
      );
      for (const s of a.sequences) {
        assert.equal(s.tokens, c.sequenceTokens[s.sequence]);
        assertRelative(s.nll, c.sequenceNll[s.sequence], TOLERANCE, `sequence ${s.sequence} NLL`);
        assertRelative(s.perplexity, Math.exp(c.sequenceNll[s.sequence] / c.sequenceTokens[s.sequence]), TOLERANCE, `sequence ${s.sequence} perplexity`);
      }
      const scored = scoredTokens(c);
      const positions = c.positionMeanNll.flatMap((mean: number | null, t: number) => (mean === null ? [] : [t]));
      assert.deepEqual(a.plots.lossByPosition.position, positions);
      assertAllRelative(
        a.plots.lossByPosition.meanLoss,
        positions.map((t: number) => c.positionMeanNll[t]),
        TOLERANCE,
        'mean loss by position',
      );
      assert.deepEqual(
        a.plots.lossByPosition.count,
        positions.map((t: number) => scored.filter((s) => s.position === t).length),
      );
      assert.deepEqual(
        a.plots.reliability!.bins.map((bin) => bin.count),
        c.calibrationCounts,
      );
      assert.equal(a.plots.sequencePerplexityHistogram.counts.reduce((x, y) => x + y, 0) + a.plots.sequencePerplexityHistogram.infinite, c.sequences);
      assert.equal(a.plots.runningMean.n.at(-1), c.tokens);
      assertRelative(a.plots.runningMean.mean.at(-1)!, c.crossEntropy, TOLERANCE, 'running mean at the end');
      const worst = [...scored].sort((x, y) => y.loss - x.loss || x.flat - y.flat).slice(0, 50);
      assert.deepEqual(
        a.plots.worstTokens.map((w) => [w.sequence, w.position, w.id, w.rank]),
        worst.map((w) => [w.sequence, w.position, w.id, w.rank]),
      );
      assertAllRelative(
        a.plots.worstTokens.map((w) => w.loss),
        worst.map((w) => w.loss),
        TOLERANCE,
        'worst tokens',
      );
      const means = c.sequenceNll.map((nll: number, s: number) => (c.sequenceTokens[s] > 0 ? nll / c.sequenceTokens[s] : -Infinity));
      const worstSequence = means.indexOf(Math.max(...means));
      const viewed = scored.filter((s) => s.sequence === worstSequence);
      assert.equal(a.tokenView.sequence, worstSequence);
      assert.deepEqual(
        a.tokenView.tokens.map((token) => [token.position, token.id, token.rank]),
        viewed.map((s) => [s.position, s.id, s.rank]),
      );
      assertAllRelative(
        a.tokenView.tokens.map((token) => token.loss),
        viewed.map((s) => s.loss),
        TOLERANCE,
        'token view losses',
      );

      // The tokenizer.json beside the fixtures (the .npy pairs sit in folders of their own).
      const text = c.tokenizer;
      if (c.file.startsWith('npy_')) {
        assert.equal(roles.tokenizer, undefined);
        assert.equal(summary.bitsPerByte, undefined);
        assert.equal(a.tokenView.tokens[0]!.text, undefined);
      } else {
        assert.equal(roles.tokenizer, lmFixture('tokenizer.json'));
        assertRelative(summary.bitsPerByte!, text.bitsPerByte, TOLERANCE, 'bits per byte');
        assertRelative(summary.bytePerplexity!, text.bytePerplexity, TOLERANCE, 'byte perplexity');
        assertRelative(summary.wordPerplexity!, text.wordPerplexity, TOLERANCE, 'word perplexity');
        const pieces = text.sequences.find((s: any) => s.sequence === worstSequence).pieces;
        assert.deepEqual(
          a.tokenView.tokens.map((token) => token.text),
          pieces,
        );
      }
      assert.deepEqual(
        Object.keys(summary.definitions).sort(),
        [
          'accuracy',
          'bitsPerToken',
          'crossEntropy',
          'expectedCalibrationError',
          'geometricMeanSequencePerplexity',
          'logLikelihood',
          'meanEntropy',
          'meanSequencePerplexity',
          'otherAlignmentCrossEntropy',
          'perplexity',
          'sequences',
          'tokens',
          ...(c.file.startsWith('npy_') ? [] : ['bitsPerByte', 'bytePerplexity', 'wordPerplexity']),
        ].sort(),
      );

      // The derivation's checks compare the token-level sum with the per-sequence and per-position sums.
      const steps = a.derivations[0]!.steps;
      assert.deepEqual(
        steps.map((step) => step.id),
        ['chain-rule', 'token-conditional', 'sum-log-likelihood', 'cross-entropy', 'perplexity', 'likelihood'],
      );
      for (const step of steps.filter((s) => s.check)) assert.ok(step.check!.holds, `${step.id}: ${JSON.stringify(step.check)}`);
      assertRelative(steps.find((s) => s.id === 'sum-log-likelihood')!.check!.rhs, c.logLikelihood, TOLERANCE, 'the log-likelihood the derivation shows');
    });
  }

  it('a tokenizer given by path decodes a .npy pair as the one beside the other fixtures', async () => {
    const c = lmCase('npy_float32/logits.npy');
    const a = await analyze(lmFixture(c.file), { tokenizer: lmFixture('tokenizer.json') });
    assert.equal(a.roles.tokenizer, lmFixture('tokenizer.json'));
    assertRelative(a.summary.bitsPerByte!, c.tokenizer.bitsPerByte, TOLERANCE, 'bits per byte');
    assertRelative(a.summary.wordPerplexity!, c.tokenizer.wordPerplexity, TOLERANCE, 'word perplexity');
    const top = c.tokenizer.top5;
    const flat = c.top5.map((e: any) => e.position);
    for (const w of a.plots.worstTokens) {
      const at = flat.indexOf(w.sequence * T + w.position);
      if (at >= 0) assert.equal(w.text, top[at].target);
    }
  });

  it('a tokenizer asked for that cannot be read is an error naming it; a broken one beside the file is a warning', async () => {
    await rejects(lmFixture('npy_float32/logits.npy'), { tokenizer: join(folder, 'missing.json') }, 'missing.json');
    const beside = join(folder, 'broken-tokenizer');
    mkdirSync(beside);
    copyFileSync(lmFixture('causal_float32.pt'), join(beside, 'causal_float32.pt'));
    writeFileSync(join(beside, 'tokenizer.json'), '{"model": ');
    const a = await analyze(join(beside, 'causal_float32.pt'));
    assert.equal(a.roles.tokenizer, undefined);
    assert.ok(
      a.warnings.some((w) => w.includes('tokenizer.json') && w.includes('not valid JSON')),
      a.warnings.join(' | '),
    );
    assertRelative(a.summary.crossEntropy, lmCase('causal_float32.pt').crossEntropy, TOLERANCE, 'cross-entropy');
  });

  it('off_by_one.pt: input_ids saved as labels, scored unshifted, warn that the shifted alignment fits far better', async () => {
    const wrong = await analyze(lmFixture('off_by_one.pt'));
    const c = lmCase('off_by_one.pt', false);
    assert.equal(wrong.roles.shift, false);
    assertRelative(wrong.summary.otherAlignmentCrossEntropy!, c.otherAlignmentCrossEntropy, TOLERANCE, 'the shifted cross-entropy');
    assert.ok(
      wrong.warnings.some((w) => w.includes('one token off')),
      wrong.warnings.join(' | '),
    );
    const right = await analyze(lmFixture('off_by_one.pt'), { shift: true });
    assert.equal(right.roles.shift, true);
    assertRelative(right.summary.crossEntropy, lmCase('off_by_one.pt', true).crossEntropy, TOLERANCE, 'shifted');
    assert.ok(!right.warnings.some((w) => w.includes('one token off')), right.warnings.join(' | '));
  });

  it('token_logprobs.pt: per-token log-probabilities with an attention mask, as lm-evaluation-harness gives them', async () => {
    const want = lmExpected.tokenLogprobs;
    const a = await analyze(lmFixture('token_logprobs.pt'));
    assert.equal(a.roles.predictionKind, 'token-logprobs');
    assert.equal(a.roles.predictions, 'token_logprobs');
    assert.equal(a.roles.mask, 'attention_mask');
    assert.deepEqual(a.roles.shape, { batch: B, length: T });
    assert.equal(a.summary.tokens, want.tokens);
    assert.equal(a.summary.sequences, want.sequences);
    for (const key of ['crossEntropy', 'logLikelihood', 'meanSequencePerplexity', 'geometricMeanSequencePerplexity'] as const)
      assertRelative(a.summary[key], want[key], TOLERANCE, key);
    assertAllRelative(
      a.sequences.map((s) => s.nll),
      want.sequenceNll,
      TOLERANCE,
      'per-sequence NLL',
    );
    for (const key of ['accuracy', 'meanEntropy', 'expectedCalibrationError', 'otherAlignmentCrossEntropy', 'bitsPerByte'] as const)
      assert.equal(a.summary[key], undefined, key);
    assert.equal(a.plots.reliability, undefined);
    assert.ok(a.tokenView.tokens.every((token) => token.id === -1 && token.rank === 0 && token.text === undefined));
    assert.deepEqual(a.warnings, []);
  });

  it("reduction='none': every position's loss, 0 where nothing is scored, as F.cross_entropy(reduction='none')", async () => {
    const c = lmCase('causal_float16.pt');
    const a = await analyze(lmFixture(c.file), { keepRowLosses: true });
    assertAllRelative(
      a.rowLosses!.crossEntropy!,
      c.tokenNll.map((loss: number | null) => loss ?? 0),
      TOLERANCE,
      'per-position losses',
    );
  });

  it("a [8, 512, 4096] float16 .npy pair (32 MB) is read a block at a time from the file, with progress, and gives the fixture's numbers", async () => {
    const big = join(folder, 'big');
    mkdirSync(big);
    const { logits } = writeBigLogits(big);
    const c = lmCase('npy_float16/logits.npy');
    const progress: number[] = [];
    const a = await analyze(logits, {}, { onProgress: (fraction: number) => progress.push(fraction) });
    assert.deepEqual(a.roles.shape, { batch: 8, length: 512, vocabulary: 4096 });
    assert.equal(a.summary.tokens, c.tokens * 64);
    assert.equal(a.summary.sequences, 8);
    for (const key of ['crossEntropy', 'meanSequencePerplexity', 'geometricMeanSequencePerplexity', 'accuracy', 'meanEntropy'] as const)
      assertRelative(a.summary[key]!, c[key], TOLERANCE, key);
    assertRelative(a.summary.logLikelihood, c.logLikelihood * 64, TOLERANCE, 'log-likelihood');
    assert.ok(progress.length >= 4, `progress ${progress.join(', ')}`);
    assert.ok(
      progress.every((f, i) => f > 0 && f <= 1 && (i === 0 || f > progress[i - 1]!)),
      `progress ${progress.join(', ')}`,
    );
    assert.equal(progress.at(-1), 1);

    const controller = new AbortController();
    const stopped = analyzeSource({ kind: 'path', path: logits }, {}, {}, { signal: controller.signal, onProgress: () => controller.abort() });
    await assert.rejects(stopped, /cancelled/);
  });

  describe('bad files are refused in one line naming the file and the place', () => {
    const { logits, labels } = fixtureArrays();
    const write = (name: string, tensors: Parameters<typeof safetensorsFile>[0]) => {
      const path = join(folder, name);
      writeFileSync(path, safetensorsFile(tensors));
      return path;
    };
    const logitsTensor = (data: Float32Array = logits) => ({ name: 'logits', dtype: 'F32' as const, shape: [B, T, V], data });
    const labelsTensor = (data: BigInt64Array = labels) => ({ name: 'labels', dtype: 'I64' as const, shape: [B, T], data });

    it('a target id >= V', async () => {
      const bad = labels.slice();
      bad[1 * T + 3] = BigInt(V + 100);
      await rejects(
        write('id.safetensors', [logitsTensor(), labelsTensor(bad)]),
        {},
        'id.safetensors',
        "tensor 'labels' batch 1, position 3",
        `target id ${V + 100} is not a token id in 0..${V - 1}`,
      );
    });

    it('a NaN logit at a scored position', async () => {
      const bad = logits.slice();
      const flat = 2 * T + 5;
      assert.notEqual(labels[flat], -100n);
      bad[flat * V + 17] = Number.NaN;
      await rejects(
        write('nan.safetensors', [logitsTensor(bad), labelsTensor()]),
        {},
        'nan.safetensors',
        "tensor 'logits' batch 2, position 5",
        'logit 17 is NaN',
      );
    });

    it('an attention mask of the wrong shape, and one with a value that is not 0 or 1', async () => {
      const mask = new BigInt64Array(B * (T - 1)).fill(1n);
      await rejects(
        write('mask-shape.safetensors', [logitsTensor(), labelsTensor(), { name: 'attention_mask', dtype: 'I64', shape: [B, T - 1], data: mask }]),
        {},
        'mask-shape.safetensors',
        "attention mask 'attention_mask' [4, 15]",
        `must be [${B}, ${T}]`,
      );
      const values = new BigInt64Array(B * T).fill(1n);
      values[3 * T + 2] = 2n;
      await rejects(
        write('mask-value.safetensors', [logitsTensor(), labelsTensor(), { name: 'attention_mask', dtype: 'I64', shape: [B, T], data: values }]),
        {},
        'mask-value.safetensors',
        "tensor 'attention_mask' batch 3, position 2",
        'attention mask value 2 is neither 0 nor 1',
      );
    });

    it('logits without token ids, and a file where every target is ignored', async () => {
      await rejects(
        write('alone.safetensors', [logitsTensor()]),
        {},
        'alone.safetensors',
        `no tensor of shape [${B}, ${T}] to read as the token ids 'logits' [${B}, ${T}, ${V}] scores`,
      );
      await rejects(
        write('ignored.safetensors', [logitsTensor(), labelsTensor(new BigInt64Array(B * T).fill(-100n))]),
        {},
        'ignored.safetensors',
        'no token is scored: every target is the ignore index -100',
      );
    });
  });

  it('more sequences than are listed: the worst ones, worst first, and a warning', async () => {
    const sequences = 12_000;
    const values = new Float32Array(sequences * 2);
    // Distinct mean NLLs in a scrambled order: sequence s has -log p = 0.5 + ((s * 7919) % sequences) / sequences on both tokens.
    for (let s = 0; s < sequences; s++) values[2 * s] = values[2 * s + 1] = -(0.5 + ((s * 7919) % sequences) / sequences);
    const mask = new BigInt64Array(sequences * 2).fill(1n);
    const path = join(folder, 'many.safetensors');
    writeFileSync(
      path,
      safetensorsFile([
        { name: 'token_logprobs', dtype: 'F32', shape: [sequences, 2], data: values },
        { name: 'attention_mask', dtype: 'I64', shape: [sequences, 2], data: mask },
      ]),
    );
    const a = await analyze(path);
    assert.equal(a.summary.sequences, sequences);
    assert.equal(a.sequences.length, 10_000);
    const meanOf = (s: number) => -values[2 * s]!;
    const wanted = Array.from({ length: sequences }, (_, s) => s)
      .sort((x, y) => meanOf(y) - meanOf(x))
      .slice(0, 10_000);
    assert.deepEqual(
      a.sequences.map((s) => s.sequence),
      wanted,
    );
    assert.ok(
      a.warnings.some((w) => w.includes('12,000 sequences') && w.includes('10,000')),
      a.warnings.join(' | '),
    );
  });

  it('a context of 5,000 positions: the mean loss by position in at most 2,000 points, each the mean of its run', async () => {
    const length = 5_000;
    const values = Float32Array.from({ length }, (_, t) => -(1 + Math.sin(t) ** 2));
    const path = join(folder, 'long.safetensors');
    writeFileSync(
      path,
      safetensorsFile([
        { name: 'logprobs', dtype: 'F32', shape: [1, length], data: values },
        { name: 'attention_mask', dtype: 'I64', shape: [1, length], data: new BigInt64Array(length).fill(1n) },
      ]),
    );
    const { position, meanLoss, count } = (await analyze(path)).plots.lossByPosition;
    assert.ok(position.length <= 2_000 && position.length >= 1_000, `${position.length} points`);
    const run = position[1]! - position[0]!;
    position.forEach((start, i) => {
      const end = Math.min(length, start + run);
      let sum = 0;
      for (let t = start; t < end; t++) sum -= values[t]!;
      assert.equal(count[i], end - start);
      assertRelative(meanLoss[i]!, sum / (end - start), 1e-12, `positions ${start}..${end - 1}`);
    });
  });
});
