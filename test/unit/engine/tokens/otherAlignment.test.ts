// The losses under the alignment not chosen, from one pass scored with the union of both
// alignments' targets, against PyTorch's per-token losses under that alignment (gen_lm.py).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignTargets, NO_TARGET } from '../../../../src/engine/tokens/alignment';
import { otherAlignmentLosses, unionTargets } from '../../../../src/engine/tokens/otherAlignment';
import { scoreTokens } from '../../../../src/engine/tokens/tokenLoss';
import { widenHalves } from '../../../../src/engine/tokens/tokenLogits';
import { readTensorFile } from '../../../../src/readers/readTensorFile';
import { readStoredHalves } from '../../../../src/readers/storedElements';
import { fixturePath, readJson } from '../../../helpers/fixtures';
import { assertRelative } from '../engineFixtures';

const expected: any = readJson(fixturePath('lm', 'expected.json'));
const { B, T, V } = expected as { B: number; T: number; V: number };

describe('the other alignment from the union of targets', () => {
  for (const chosenShift of [false, true]) {
    it(`off_by_one.pt scored ${chosenShift ? 'shifted' : 'unshifted'}: each token's loss unshifted and shifted is PyTorch's`, async () => {
      const file = await readTensorFile(fixturePath('lm', 'off_by_one.pt'));
      const logits = file.tensors.find((t) => t.name === 'logits')!.data as Float32Array;
      const labels = file.tensors.find((t) => t.name === 'labels')!.data;
      const chosen = alignTargets(labels, B, T, { shift: chosenShift, vocabulary: V }).targets;
      const other = alignTargets(labels, B, T, { shift: !chosenShift, vocabulary: V }).targets;
      const union = unionTargets(chosen, other);
      for (let i = 0; i < B * T; i++) assert.equal(union[i], chosen[i] !== NO_TARGET ? chosen[i] : other[i], `union[${i}]`);

      const scores = scoreTokens({ logits, from: 0, to: B * T, targets: union }, V, T);
      const losses = otherAlignmentLosses(logits, V, union, other, scores.nll);
      const own = expected.cases.find((c: any) => c.file === 'off_by_one.pt' && c.shift === chosenShift);
      const wanted = expected.cases.find((c: any) => c.file === 'off_by_one.pt' && c.shift !== chosenShift);
      let differs = 0;
      for (let i = 0; i < B * T; i++) {
        if (own.tokenNll[i] !== null) assertRelative(scores.nll[i]!, own.tokenNll[i], 1e-9, `chosen loss [${i}]`);
        if (wanted.tokenNll[i] === null) assert.ok(Number.isNaN(losses[i]), `other loss [${i}]: ${losses[i]} where it scores nothing`);
        else assertRelative(losses[i]!, wanted.tokenNll[i], 1e-9, `other loss [${i}]`);
        if (other[i] !== NO_TARGET && union[i] !== other[i]) differs++;
      }
      // Most positions score another token under each alignment: the logit difference is what is tested.
      assert.ok(differs > B * T * 0.5, `${differs} positions score different tokens`);
    });
  }
});

describe('the other alignment on bfloat16 logits read as stored', () => {
  it("gives the decoded logits' losses from the raw halves, also where the scored target's loss is infinite", async () => {
    const file = await readTensorFile(fixturePath('lm', 'lm_bfloat16.safetensors'), undefined, { leaveInFileFrom: 0 });
    const tensor = file.tensors.find((t) => t.name === 'logits')!;
    const raw = readStoredHalves(tensor.stored!, 0, tensor.stored!.count)!;
    assert.equal(raw.dtype, 'bfloat16');
    const halves = raw.halves.slice();
    const labels = file.tensors.find((t) => t.name === 'input_ids')!.data;
    const chosen = alignTargets(labels, B, T, { shift: true, vocabulary: V }).targets;
    const other = alignTargets(labels, B, T, { shift: false, vocabulary: V }).targets;
    const union = unionTargets(chosen, other);
    // Position 0 scores its chosen target at -Infinity: its loss is infinite, and the other
    // alignment's loss there comes from the row's log-sum-exp.
    assert.notEqual(chosen[0], NO_TARGET);
    assert.notEqual(other[0], NO_TARGET);
    assert.notEqual(chosen[0], other[0]);
    halves[chosen[0]!] = 0xff80;
    const decoded = widenHalves({ halves, dtype: 'bfloat16' }, 0, halves.length);
    const block = { from: 0, to: B * T, targets: union };
    const scores = scoreTokens({ ...block, logits: { halves, dtype: 'bfloat16' } }, V, T);
    assert.equal(scores.nll[0], Infinity);
    const fromHalves = otherAlignmentLosses({ halves, dtype: 'bfloat16' }, V, union, other, scores.nll);
    const fromDecoded = otherAlignmentLosses(decoded, V, union, other, scoreTokens({ ...block, logits: decoded }, V, T).nll);
    assert.deepStrictEqual(fromHalves, fromDecoded);
    assert.ok(Number.isFinite(fromHalves[0]));
    assert.ok(fromHalves.filter((v) => Number.isFinite(v)).length > 30);
  });
});
