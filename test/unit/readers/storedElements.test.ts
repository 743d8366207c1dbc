import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runScoringJob } from '../../../src/analysis/threads/scoringJobs';
import { describeError } from '../../../src/readers/errors';
import { readTensorFile } from '../../../src/readers/readTensorFile';
import { leadingElements, readStoredElements, readStoredHalves } from '../../../src/readers/storedElements';
import type { Tensor } from '../../../src/readers/tensor';
import { fixturePath } from '../../helpers/fixtures';

// Tensors left in their file (TensorReadOptions.leaveInFileFrom) must read back exactly as the
// readers decode them, whole or by rows, and only where their bytes lie in the file as stored.

const dir = mkdtempSync(join(tmpdir(), 'likelihood-lens-stored-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const TENSOR_FILE = /\.(npy|npz|safetensors|pt|pth)$/;
const fixtures = [
  ...readdirSync(fixturePath('tensors'))
    .filter((name) => TENSOR_FILE.test(name))
    .map((name) => fixturePath('tensors', name)),
  ...readdirSync(fixturePath('torch'))
    .filter((name) => TENSOR_FILE.test(name) && name !== 'legacy.pt')
    .map((name) => fixturePath('torch', name)),
  ...readdirSync(fixturePath('eval'))
    .filter((name) => TENSOR_FILE.test(name))
    .map((name) => fixturePath('eval', name)),
];

function sameElements(actual: ArrayLike<number>, expected: ArrayLike<number>, where: string): void {
  assert.equal(actual.constructor, expected.constructor, `${where}: array type`);
  assert.equal(actual.length, expected.length, `${where}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (Number.isNaN(expected[i]!)) assert.ok(Number.isNaN(actual[i]!), `${where}[${i}]`);
    else assert.equal(Object.is(actual[i], expected[i]) || actual[i] === expected[i], true, `${where}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('tensors left in their file', () => {
  it('read back exactly as read whole, by rows too, for every fixture whose bytes are stored as they are', async () => {
    let stayed = 0;
    for (const path of fixtures) {
      const name = basename(path);
      const whole = await readTensorFile(path);
      const left = await readTensorFile(path, undefined, { leaveInFileFrom: 0 });
      assert.deepEqual(
        left.tensors.map((t) => [t.name, t.dtype, t.shape]),
        whole.tensors.map((t) => [t.name, t.dtype, t.shape]),
        `${name}: the same tensors`,
      );
      left.tensors.forEach((tensor: Tensor, index) => {
        const expected = whole.tensors[index]!.data;
        const where = `${name}: ${tensor.name}`;
        if (!tensor.stored) return;
        stayed++;
        assert.equal(tensor.stored.count, expected.length, `${where}: count`);
        const middle = Math.floor(expected.length / 3);
        const rows = Math.min(5, expected.length - middle);
        sameElements(readStoredElements(tensor.stored, middle, rows), expected.subarray(middle, middle + rows), `${where} from ${middle}`);
        sameElements(leadingElements(tensor, 4), expected.subarray(0, 4), `${where} leading`);
        sameElements(tensor.data, expected, where);
      });
    }
    assert.ok(stayed >= 40, `${stayed} tensors stayed in their files`);
  });

  it('stay only when stored as they are: not Fortran order, structured, deflated or strided', async () => {
    for (const path of [
      fixturePath('tensors', 'fortran.npy'),
      fixturePath('tensors', 'structured.npy'),
      fixturePath('tensors', 'savez_compressed.npz'),
      fixturePath('torch', 'deflated.pt'),
    ]) {
      const file = await readTensorFile(path, undefined, { leaveInFileFrom: 0 });
      assert.ok(file.tensors.length > 0 && file.tensors.every((t) => !t.stored), path);
    }
    const views = await readTensorFile(fixturePath('torch', 'views.pt'), undefined, { leaveInFileFrom: 0 });
    const whole = await readTensorFile(fixturePath('torch', 'views.pt'));
    assert.ok(
      views.tensors.some((t) => t.stored) && views.tensors.some((t) => !t.stored),
      views.tensors.map((t) => `${t.name}: ${t.stored ? 'stored' : 'read'}`).join(', '),
    );
    views.tensors.forEach((t, i) => sameElements(t.data, whole.tensors[i]!.data, `views.pt: ${t.name}`));
  });

  it('only from the size asked for', async () => {
    const path = fixturePath('eval', 'eval.safetensors');
    const file = await readTensorFile(path, undefined, { leaveInFileFrom: 1_000 });
    for (const tensor of file.tensors) {
      const bytes = tensor.shape.reduce((a, b) => a * b, 1) * (tensor.dtype === 'int64' || tensor.dtype === 'float64' ? 8 : tensor.dtype === 'float32' ? 4 : 2);
      assert.equal(tensor.stored !== undefined, bytes >= 1_000, `${tensor.name}: ${bytes} bytes`);
    }
    assert.ok(
      (await readTensorFile(path)).tensors.every((t) => !t.stored),
      'none unless asked',
    );
  });

  it('a file cut short after its header was read: one line naming the file and the tensor, where the data is read', async () => {
    const path = join(dir, 'logits.npy');
    copyFileSync(fixturePath('eval', 'logits.npy'), path);
    const file = await readTensorFile(path, undefined, { leaveInFileFrom: 0 });
    truncateSync(path, 500);
    const tensor = file.tensors[0]!;
    assert.throws(
      () => tensor.data,
      (error: unknown) => {
        const message = describeError(error);
        assert.match(
          message,
          /^logits\.npy: tensor 'logits': the file changed since its header was read: it is now 500 bytes, short of the 6000 bytes at byte 128$/,
        );
        return true;
      },
    );
    // A scoring thread reading the same rows says which row it could not read.
    const labels = new Float64Array(new SharedArrayBuffer(8 * 300));
    const result = runScoringJob({ type: 'rows', labels, values: tensor.stored!, from: 256, to: 300, k: tensor.shape[1]!, crossEntropy: { kind: 'logits' } });
    assert.equal(result.type, 'error');
    assert.equal(result.type === 'error' && result.row, 256);
    assert.match(
      result.type === 'error' ? result.reason : '',
      /^the file changed since its header was read: it is now 500 bytes, short of the 880 bytes at byte 5248$/,
    );
  });

  it("a failure that is not the file's is thrown by the scoring thread, which stops, so the analysis is done without threads", () => {
    // A folder where the tensor was: reading it fails (EISDIR), as a failed allocation would, and not as a short file.
    const values = { path: dir, offset: 0, dtype: 'float32' as const, littleEndian: true, count: 10 };
    const labels = new Float64Array(new SharedArrayBuffer(8 * 5));
    assert.throws(() => runScoringJob({ type: 'rows', labels, values, from: 0, to: 5, k: 2, crossEntropy: { kind: 'logits' } }), /EISDIR/);
  });

  it('bfloat16 and float16 in host byte order read as their raw 16-bit patterns, any other dtype or order not', async () => {
    for (const name of ['lm_bfloat16.safetensors', 'causal_float16.pt', 'lm_float32.safetensors']) {
      const file = await readTensorFile(fixturePath('lm', name), undefined, { leaveInFileFrom: 0 });
      const { stored } = file.tensors.find((t) => t.name === 'logits')!;
      const raw = readStoredHalves(stored!, 401, 1000);
      if (stored!.dtype === 'float32') {
        assert.equal(raw, undefined, name);
        continue;
      }
      assert.equal(raw?.dtype, stored!.dtype, name);
      const bytes = readFileSync(stored!.path).subarray(stored!.offset + 802, stored!.offset + 2802);
      assert.deepStrictEqual(new Uint8Array(raw!.halves.buffer, raw!.halves.byteOffset, raw!.halves.byteLength), new Uint8Array(bytes), name);
      assert.equal(readStoredHalves({ ...stored!, littleEndian: false }, 0, 10), undefined, `${name} big-endian`);
      assert.throws(() => readStoredHalves(stored!, stored!.count - 5, 10), /elements/, `${name} past its end`);
    }
  });
});
