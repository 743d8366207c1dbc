// The worker's 'sequence' and 'alternatives' requests: one sequence's tokens, or one position's
// top tokens, read from the file on demand, against what PyTorch computed (gen_lm.py).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AnalysisOptions } from '../../../src/analysis/results';
import type { AnalysisOutcome } from '../../../src/protocol/worker';
import { serveRequest } from '../../../src/worker/serveRequest';
import { lmCase, lmExpected, lmFixture, writeBigLogits } from '../../helpers/languageModelFiles';
import { assertAllRelative, assertRelative } from '../engine/engineFixtures';

const TOLERANCE = 1e-9;
const { T } = lmExpected as { T: number };
const folder = mkdtempSync(join(tmpdir(), 'likelihood-lens-lm-worker-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const sequenceOf = (path: string, sequence: number, options: AnalysisOptions = {}) =>
  serveRequest({ id: 1, action: 'sequence', sequence, source: { kind: 'path', path }, options });
const alternativesOf = (path: string, sequence: number, position: number, options: AnalysisOptions = {}) =>
  serveRequest({ id: 1, action: 'alternatives', sequence, position, source: { kind: 'path', path }, options });

function refused(outcome: AnalysisOutcome, ...parts: string[]): void {
  assert.ok(outcome.error, `an error, not ${JSON.stringify(outcome).slice(0, 200)}`);
  assert.ok(!outcome.error.includes('\n'), outcome.error);
  for (const part of parts) assert.ok(outcome.error.includes(part), `'${part}' in: ${outcome.error}`);
}

/** A case's per-sequence view as PyTorch gives it: positions, losses, ranks, ids and the tokenizer's pieces. */
function wantedSequence(c: any, sequence: number) {
  const positions = [];
  for (let t = 0; t < T; t++) if (c.tokenNll[sequence * T + t] !== null) positions.push(t);
  const decoded = c.tokenizer.sequences.find((s: any) => s.sequence === sequence);
  return {
    positions,
    losses: positions.map((t) => c.tokenNll[sequence * T + t]),
    ranks: positions.map((t) => c.tokenRank[sequence * T + t] + 1),
    ids: decoded?.ids ?? [],
    pieces: decoded?.pieces ?? [],
  };
}

describe("the worker's language-model requests", () => {
  for (const [file, shift] of [
    ['causal_float32.pt', false],
    ['lm_bfloat16.safetensors', true],
    ['lm_float32.safetensors', true],
    ['npy_float16/logits.npy', false],
  ] as const) {
    it(`'sequence': every sequence of ${file}, scored again from the file`, async () => {
      const c = lmCase(file, shift);
      const options = file === 'lm_float32.safetensors' ? { shift: true } : {};
      for (let sequence = 0; sequence < lmExpected.B; sequence++) {
        const outcome = await sequenceOf(lmFixture(file), sequence, options);
        assert.equal(outcome.error, undefined, outcome.error);
        const view = outcome.tokenView!;
        const want = wantedSequence(c, sequence);
        assert.equal(view.sequence, sequence);
        assert.deepEqual(
          view.tokens.map((token) => token.position),
          want.positions,
        );
        assert.deepEqual(
          view.tokens.map((token) => token.rank),
          want.ranks,
        );
        assert.deepEqual(
          view.tokens.map((token) => token.id),
          want.ids,
        );
        assertAllRelative(
          view.tokens.map((token) => token.loss),
          want.losses,
          TOLERANCE,
          `${file} sequence ${sequence}`,
        );
        if (file.startsWith('npy_')) assert.ok(view.tokens.every((token) => token.text === undefined));
        else
          assert.deepEqual(
            view.tokens.map((token) => token.text),
            want.pieces,
          );
      }
    });
  }

  for (const c of lmExpected.cases.filter((c: any) =>
    ['causal_float16.pt', 'trainer_bfloat16.pt', 'lm_float16.npz', 'npy_float32/logits.npy'].includes(c.file),
  )) {
    it(`'alternatives': the top ${c.top5[0].ids.length} tokens at ${c.top5.length} positions of ${c.file}, as a stable sort of softmax(logits)`, async () => {
      for (const [k, example] of c.top5.entries()) {
        const sequence = Math.floor(example.position / T);
        const position = example.position % T;
        const outcome = await alternativesOf(lmFixture(c.file), sequence, position);
        assert.equal(outcome.error, undefined, outcome.error);
        const { alternatives } = outcome;
        assert.equal(alternatives!.sequence, sequence);
        assert.equal(alternatives!.position, position);
        assert.deepEqual(
          alternatives!.top.map((token) => token.id),
          example.ids,
        );
        assertAllRelative(
          alternatives!.top.map((token) => token.probability),
          example.probabilities,
          TOLERANCE,
          `${c.file} position ${example.position}`,
        );
        assert.equal(alternatives!.target.id, example.target);
        assert.equal(alternatives!.target.rank, example.targetRank + 1);
        assertRelative(alternatives!.target.probability, example.targetProbability, TOLERANCE, 'target probability');
        if (c.file.startsWith('npy_')) assert.equal(alternatives!.target.text, undefined);
        else {
          assert.deepEqual(
            alternatives!.top.map((token) => token.text),
            c.tokenizer.top5[k].ids,
          );
          assert.equal(alternatives!.target.text, c.tokenizer.top5[k].target);
        }
      }
    });
  }

  describe('a [8, 512, 4096] float16 file left on disk', () => {
    let logits = '';
    before(() => (logits = writeBigLogits(folder).logits));

    it("'alternatives' reads one position's logits and gives the fixture's (the padding has probability 0)", async () => {
      const c = lmCase('npy_float16/logits.npy');
      for (const example of c.top5) {
        const [sequence, position] = [Math.floor(example.position / T), example.position % T];
        // Sequence b + 4, position t + 16 k holds the fixture's sequence b, position t.
        const outcome = await alternativesOf(logits, sequence + 4, position + 16 * 3);
        assert.equal(outcome.error, undefined, outcome.error);
        assert.deepEqual(
          outcome.alternatives!.top.map((token) => token.id),
          example.ids,
        );
        assertAllRelative(
          outcome.alternatives!.top.map((token) => token.probability),
          example.probabilities,
          TOLERANCE,
          `position ${example.position}`,
        );
        assertRelative(outcome.alternatives!.target.probability, example.targetProbability, TOLERANCE, 'target probability');
      }
    });

    it("'sequence' gives the fixture's sequence 32 times over", async () => {
      const c = lmCase('npy_float16/logits.npy');
      const outcome = await sequenceOf(logits, 5);
      assert.equal(outcome.error, undefined, outcome.error);
      const want = wantedSequence(c, 1);
      const tokens = outcome.tokenView!.tokens;
      assert.equal(tokens.length, want.positions.length * 32);
      assert.deepEqual(
        tokens.map((token) => token.position % T),
        Array.from({ length: 32 }, () => want.positions).flat(),
      );
      assertAllRelative(
        tokens.map((token) => token.loss),
        Array.from({ length: 32 }, () => want.losses).flat(),
        TOLERANCE,
        'losses',
      );
    });

    it('a sequence or a position out of range, or a position that scores nothing, is refused in one line', async () => {
      refused(await sequenceOf(logits, 8), 'logits.npy', 'sequence 8', 'out of range', '8 sequence(s), 0 to 7');
      refused(await alternativesOf(logits, 0, 512), 'logits.npy', 'sequence 0, position 512', 'out of range', '0 to 511');
      refused(await alternativesOf(logits, -1, 0), 'logits.npy', 'sequence -1', 'out of range');
    });
  });

  it("a position without a target, log-probabilities asked for alternatives, a file that is not a language model's", async () => {
    // causal_float32.pt: the labels end with -100 in sequence 0, position 15 (shifted away).
    assert.equal(lmCase('causal_float32.pt').tokenNll[15], null);
    refused(await alternativesOf(lmFixture('causal_float32.pt'), 0, 15), 'causal_float32.pt', 'sequence 0, position 15', 'scores no token');
    refused(await alternativesOf(lmFixture('token_logprobs.pt'), 0, 0), 'token_logprobs.pt', "tensor 'token_logprobs'", 'need logits');
    const view = (await sequenceOf(lmFixture('token_logprobs.pt'), 2)).tokenView!;
    const mask = lmCase('causal_float32.pt')
      .tokenNll.slice(2 * T, 3 * T)
      .map((loss: number | null) => loss !== null);
    assert.equal(view.tokens.length, mask.filter(Boolean).length);
    refused(await sequenceOf(fixturePathOf('tensors', 'float32.npy'), 0), 'float32.npy');
  });

  it("the tensor view finds a lone logits.npy's labels.npy and says the loss panel can use them", async () => {
    const outcome = await serveRequest({ id: 1, action: 'inspect', source: { kind: 'path', path: lmFixture('npy_float32/logits.npy') }, options: {} });
    assert.equal(outcome.error, undefined, outcome.error);
    assert.equal(outcome.analysable, true);
  });
});

function fixturePathOf(...parts: string[]): string {
  return join(lmFixture(''), '..', ...parts);
}
