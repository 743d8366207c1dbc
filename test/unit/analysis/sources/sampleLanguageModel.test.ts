import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeSource } from '../../../../src/analysis/sources/analyzeSource';
import { assertClose, readJson, REPO_ROOT } from '../../../helpers/fixtures';
import { lmFixture } from '../../../helpers/languageModelFiles';

describe('the bundled language-model sample', () => {
  it("is read as a language model's dump, decoded by the tokenizer.json beside it, with PyTorch's numbers", async () => {
    const expected = readJson<{ cases: { file: string; crossEntropy: number; perplexity: number; tokens: number }[] }>(lmFixture('expected.json'));
    const want = expected.cases.find((c) => c.file === 'lm_bfloat16.safetensors')!;
    const analysis = await analyzeSource({ kind: 'path', path: join(REPO_ROOT, 'media', 'samples', 'language_model.safetensors') });
    assert.equal(analysis.task, 'lm');
    if (analysis.task !== 'lm') return;
    assert.equal(analysis.summary.tokens, want.tokens);
    assertClose(analysis.summary.crossEntropy, want.crossEntropy, 1e-9, 'cross-entropy');
    assertClose(analysis.summary.perplexity, want.perplexity, 1e-9, 'perplexity');
    assert.match(analysis.roles.tokenizer ?? '', /tokenizer\.json$/);
    assert.ok(analysis.summary.bitsPerByte !== undefined && analysis.summary.bitsPerByte > 0, 'bits per byte from the decoded text');
    assert.ok(
      analysis.tokenView.tokens.every((token) => typeof token.text === 'string'),
      'every token of the token view has its text',
    );
  });
});
