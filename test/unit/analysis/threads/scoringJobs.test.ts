import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runScoringJob } from '../../../../src/analysis/threads/scoringJobs';
import { alignTargets } from '../../../../src/engine/tokens/alignment';
import { unionTargets } from '../../../../src/engine/tokens/otherAlignment';
import { allocate, decodeInto } from '../../../../src/readers/dtypes';
import { readTensorFile } from '../../../../src/readers/readTensorFile';
import type { StoredElements } from '../../../../src/readers/tensor';
import { fixturePath, readJson } from '../../../helpers/fixtures';

const lm: any = readJson(fixturePath('lm', 'expected.json'));
const { B, T, V } = lm as { B: number; T: number; V: number };

const dir = mkdtempSync(join(tmpdir(), 'likelihood-lens-jobs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("the scoring threads' token jobs on half-precision logits left in their file", () => {
  for (const dtype of ['bfloat16', 'float16'] as const) {
    it(`read ${dtype} in either byte order to the same scores and other-alignment losses as the decoded logits`, async () => {
      const file = await readTensorFile(fixturePath('lm', dtype === 'bfloat16' ? 'lm_bfloat16.safetensors' : 'causal_float16.pt'), undefined, {
        leaveInFileFrom: 0,
      });
      const source = file.tensors.find((t) => t.name === 'logits')!;
      const labels = file.tensors.find((t) => t.name === 'input_ids')!.data;
      const stored = source.stored!;
      const decoded = source.data as Float32Array;
      assert.equal(stored.littleEndian, true);
      const little = new Uint8Array(readFileSync(stored.path).subarray(stored.offset, stored.offset + 2 * stored.count));
      const big = little.slice();
      for (let i = 0; i < big.length; i += 2) [big[i], big[i + 1]] = [big[i + 1]!, big[i]!];
      // The halves decode as the tensor did: the file's bytes are the ones the job reads.
      const check = allocate(dtype, stored.count) as Float32Array;
      decodeInto(dtype, little, true, stored.count, check, 0);
      assert.deepStrictEqual(check, decoded);
      writeFileSync(join(dir, `${dtype}-le.bin`), little);
      writeFileSync(join(dir, `${dtype}-be.bin`), big);
      const chosen = alignTargets(labels, B, T, { shift: true, vocabulary: V }).targets;
      const other = alignTargets(labels, B, T, { shift: false, vocabulary: V }).targets;
      const union = unionTargets(chosen, other);
      // A block inside the grid, not from its start.
      const from = T + 3;
      const to = 3 * T - 2;
      const job = { type: 'tokens' as const, from, to, vocabulary: V, length: T, targets: union.slice(from, to), other: other.slice(from, to) };
      const inMemory = runScoringJob({ ...job, logits: decoded });
      assert.equal(inMemory.type, 'tokens');
      for (const [name, littleEndian] of [
        ['le', true],
        ['be', false],
      ] as const) {
        const logits: StoredElements = { path: join(dir, `${dtype}-${name}.bin`), offset: 0, dtype, littleEndian, count: stored.count };
        assert.deepStrictEqual(runScoringJob({ ...job, logits }), inMemory, `${dtype} ${name}`);
      }
    });
  }
});
