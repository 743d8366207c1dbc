// Which tensors of a file are a language model's logits, token ids and mask, and how they align.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readTensorFile } from '../../../src/readers/readTensorFile';
import type { NumericArray, Tensor, TensorDType, TensorFile } from '../../../src/readers/tensor';
import { chooseRoles } from '../../../src/roles/chooseRoles';
import { isLanguageModelRoles, type LanguageModelRoles } from '../../../src/roles/chosenRoles';
import { fixturePath, readTableFile } from '../../helpers/fixtures';
import { lmExpected, lmFixture } from '../../helpers/languageModelFiles';

const tensor = (name: string, dtype: TensorDType, shape: number[], data: NumericArray): Tensor => ({ name, dtype, shape, data });
const file = (...tensors: Tensor[]): TensorFile => ({ format: 'pt', tensors, metadata: {}, warnings: [] });
/** Token ids 0..V-1 cycling through a [B, T] grid, stored as int64 (read as float64). */
const ids = (name: string, batch: number, length: number, vocabulary: number) =>
  tensor(
    name,
    'int64',
    [batch, length],
    Float64Array.from({ length: batch * length }, (_, i) => (i * 7) % vocabulary),
  );
const logits = (name: string, batch: number, length: number, vocabulary: number) =>
  tensor(
    name,
    'float32',
    [batch, length, vocabulary],
    new Float32Array(batch * length * vocabulary).map((_, i) => Math.sin(i)),
  );

function languageModel(roles: ReturnType<typeof chooseRoles>): LanguageModelRoles {
  assert.ok(isLanguageModelRoles(roles), `task ${roles.task}: ${roles.reason}`);
  return roles;
}

describe('language-model roles', () => {
  it("torch.save({'logits': [4, 16, 50], 'labels': [4, 16]}) is a language model's file, not a classifier's missing its [4] labels", () => {
    const roles = languageModel(chooseRoles({ kind: 'tensors', file: file(logits('logits', 4, 16, 50), ids('labels', 4, 16, 50)) }, 'eval.pt'));
    assert.equal(roles.predictions, 'logits');
    assert.equal(roles.predictionKind, 'logits');
    assert.equal(roles.target, 'labels');
    assert.deepEqual(roles.shape, { batch: 4, length: 16, vocabulary: 50 });
    assert.equal(roles.shift, false);
    assert.match(roles.shiftReason, /already aligned/);
  });

  it('every fixture: its logits, token ids, mask and the alignment its target name calls for', async () => {
    const seen = new Set<string>();
    for (const c of lmExpected.cases) {
      if (seen.has(c.file)) continue;
      seen.add(c.file);
      const read = await readTensorFile(lmFixture(c.file));
      const tensors = c.file.endsWith('.npy')
        ? [...read.tensors, ...(await readTensorFile(lmFixture(c.file.replace('logits.npy', 'labels.npy')))).tensors]
        : read.tensors;
      const roles = languageModel(chooseRoles({ kind: 'tensors', file: { ...read, tensors } }, c.file));
      assert.equal(roles.predictions, c.logits, c.file);
      assert.equal(roles.target, c.targets, c.file);
      assert.equal(roles.mask, c.mask ?? undefined, c.file);
      // lm_float32.safetensors holds a causal LM's labels (input_ids with -100), which only the user can say are to be shifted.
      assert.equal(roles.shift, c.file === 'lm_float32.safetensors' ? false : c.shift, c.file);
    }
  });

  it('names that decide: input_ids and tokens are shifted, labels, label_ids and targets are not; shift as asked overrides', () => {
    for (const [name, shift] of [
      ['input_ids', true],
      ['tokens', true],
      ['labels', false],
      ['label_ids', false],
      ['targets', false],
      ['outputs.input_ids', true],
    ] as const) {
      const roles = languageModel(chooseRoles({ kind: 'tensors', file: file(logits('logits', 2, 5, 9), ids(name, 2, 5, 9)) }, 'f.pt'));
      assert.equal(roles.shift, shift, name);
    }
    const asked = languageModel(chooseRoles({ kind: 'tensors', file: file(logits('logits', 2, 5, 9), ids('labels', 2, 5, 9)) }, 'f.pt', { shift: true }));
    assert.equal(asked.shift, true);
    assert.match(asked.shiftReason, /as asked/);
    const notShifted = languageModel(
      chooseRoles({ kind: 'tensors', file: file(logits('logits', 2, 5, 9), ids('input_ids', 2, 5, 9)) }, 'f.pt', { shift: false }),
    );
    assert.equal(notShifted.shift, false);
  });

  it('Trainer.predict names, an unnamed 3-D float tensor with integer ids, and an attention mask by its name', () => {
    const trainer = languageModel(chooseRoles({ kind: 'tensors', file: file(ids('label_ids', 3, 4, 6), logits('predictions', 3, 4, 6)) }, 'f.pt'));
    assert.equal(trainer.predictions, 'predictions');
    const unnamed = languageModel(
      chooseRoles(
        { kind: 'tensors', file: file(logits('h', 3, 4, 6), ids('y_ids', 3, 4, 6), tensor('attention_mask', 'bool', [3, 4], new Uint8Array(12).fill(1))) },
        'f.pt',
      ),
    );
    assert.equal(unnamed.predictions, 'h');
    assert.equal(unnamed.target, 'y_ids');
    assert.equal(unnamed.mask, 'attention_mask');
    assert.match(unnamed.reason, /only \[B, T, V\] float tensor/);
  });

  it('a classifier beside hidden states [B, T, H] stays a classifier; one-hot soft targets beside log_probs stay soft', () => {
    const labels = tensor('labels', 'int64', [6], Float64Array.from([0, 1, 2, 1, 0, 2]));
    const classifier = chooseRoles(
      {
        kind: 'tensors',
        file: file(
          logits('hidden', 2, 3, 8),
          tensor(
            'logits',
            'float32',
            [6, 3],
            new Float32Array(18).map((_, i) => Math.cos(i)),
          ),
          labels,
        ),
      },
      'f.pt',
    );
    assert.equal(classifier.task, 'categorical');
    const oneHot = Float32Array.from({ length: 12 }, (_, i) => (i % 4 === Math.floor(i / 4) % 4 ? 1 : 0));
    const logProbabilities = Float32Array.from({ length: 12 }, () => Math.log(0.25));
    const soft = chooseRoles(
      { kind: 'tensors', file: file(tensor('targets', 'float32', [3, 4], oneHot), tensor('log_probs', 'float32', [3, 4], logProbabilities)) },
      'f.pt',
    );
    assert.equal(soft.task, 'soft');
  });

  it('per-token log-probabilities [B, T] with a mask and/or token ids; shift does not apply to them', () => {
    const lp = () => tensor('token_logprobs', 'float32', [2, 3], Float32Array.from([-1, -2, -3, -1, -2, -3]));
    const withMask = languageModel(
      chooseRoles({ kind: 'tensors', file: file(lp(), tensor('attention_mask', 'int64', [2, 3], Float64Array.from([1, 1, 0, 1, 1, 1]))) }, 'f.pt'),
    );
    assert.equal(withMask.predictionKind, 'token-logprobs');
    assert.equal(withMask.target, undefined);
    assert.deepEqual(withMask.shape, { batch: 2, length: 3 });
    const withIds = languageModel(chooseRoles({ kind: 'tensors', file: file(lp(), ids('input_ids', 2, 3, 50)) }, 'f.pt'));
    assert.equal(withIds.target, 'input_ids');
    assert.equal(withIds.shift, false);
    assert.throws(
      () => chooseRoles({ kind: 'tensors', file: file(lp(), ids('input_ids', 2, 3, 50)) }, 'f.pt', { shift: true }),
      /f\.pt: .*shift does not apply/,
    );
  });

  it('what is missing or does not fit is said in one line naming the file', () => {
    const check = (tensors: Tensor[], pattern: RegExp, options = {}) =>
      assert.throws(
        () => chooseRoles({ kind: 'tensors', file: file(...tensors) }, 'f.pt', options),
        (error: Error) => pattern.test(error.message) && error.message.startsWith('f.pt: ') && !error.message.includes('\n'),
      );
    check([logits('logits', 4, 16, 50)], /no tensor of shape \[4, 16\] to read as the token ids 'logits' \[4, 16, 50\] scores/);
    check(
      [logits('logits', 4, 16, 50), ids('labels', 4, 16, 50), tensor('attention_mask', 'int64', [4, 15], new Float64Array(60))],
      /attention mask 'attention_mask' \[4, 15\] does not match 'logits' \[4, 16, 50\]/,
    );
    check([logits('logits', 4, 16, 50), ids('labels', 4, 15, 50)], /targets 'labels' \[4, 15\] do not match/, { target: 'labels' });
    check([logits('a', 2, 2, 5), logits('b', 2, 2, 5), ids('labels', 2, 2, 5)], /2 tensors of shape \[B, T, V\]: name the logits/, { task: 'lm' });
    check([tensor('x', 'float32', [5], new Float32Array(5))], /no language model's logits/, { task: 'lm' });
  });

  it('a table asked to be read as a language model is refused: token grids come in tensor files', async () => {
    const table = await readTableFile(fixturePath('engine', 'categorical.csv'));
    assert.throws(() => chooseRoles({ kind: 'table', table }, 'categorical.csv', { task: 'lm' }), /categorical\.csv: .*tensor file/);
  });
});
