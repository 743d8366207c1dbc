// The Python a language model's panel copies: it loads the same file and aligns the targets as the
// analysis did. (Each snippet below printed the analysis's cross-entropy to 1e-9 when run with
// /usr/bin/python3 and PyTorch beside the fixtures; CI runs no Python, so the lines are checked here.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnalysisOptions } from '../../../../src/analysis/results';
import { derivationMarkdown, pythonSnippet } from '../../../../src/analysis/report/snippets';
import { analyzeSource } from '../../../../src/analysis/sources/analyzeSource';
import { lmFixture } from '../../../helpers/languageModelFiles';

const snippetOf = async (file: string, options: AnalysisOptions = {}) => {
  const analysis = await analyzeSource({ kind: 'path', path: lmFixture(file) }, options);
  if (analysis.task !== 'lm') throw new Error(`${file}: read as task '${analysis.task}', not a language model's`);
  return { analysis, snippet: pythonSnippet(analysis) };
};

describe("a language model's Python snippet", () => {
  it('a causal LM dump (.pt, input_ids, attention mask): masked to -100, shifted as Hugging Face does, F.cross_entropy on float64', async () => {
    const { analysis, snippet } = await snippetOf('causal_float16.pt');
    const lines = snippet.split('\n');
    for (const line of [
      'data = torch.load("causal_float16.pt", weights_only=True)',
      'labels = data["input_ids"].long()',
      'mask = data["attention_mask"]',
      'logits = data["logits"].double()  # [B, T, V]',
      'labels = labels.masked_fill(mask == 0, -100)  # masked positions are not scored',
      'logits = logits[:, :-1].contiguous()',
      'labels = labels[:, 1:].contiguous()',
      'loss = F.cross_entropy(logits.view(-1, V), labels.view(-1), ignore_index=-100)',
    ])
      assert.ok(lines.includes(line), `${line}\nin\n${snippet}`);
    assert.ok(
      lines.indexOf('labels = labels.masked_fill(mask == 0, -100)  # masked positions are not scored') < lines.indexOf('labels = labels[:, 1:].contiguous()'),
      'the mask applies before the shift',
    );
    assert.match(
      snippet,
      new RegExp(`^print\\(loss\\.item\\(\\)\\) {2}# Likelihood Lens: ${analysis.summary.crossEntropy.toPrecision(12).slice(0, 10).replace('.', '\\.')}`, 'm'),
    );
  });

  it('aligned labels are not shifted; safetensors, .npz and a .npy pair load as their libraries load them; the ignore index as asked', async () => {
    const trainer = (await snippetOf('trainer_bfloat16.pt')).snippet;
    assert.doesNotMatch(trainer, /\[:, :-1\]/);
    assert.match(trainer, /^labels = data\["label_ids"\]\.long\(\)$/m);
    assert.match(trainer, /^logits = data\["predictions"\]\.double\(\) {2}# \[B, T, V\]$/m);
    assert.match(
      (await snippetOf('lm_bfloat16.safetensors')).snippet,
      /^from safetensors\.torch import load_file\ndata = load_file\("lm_bfloat16\.safetensors"\)$/m,
    );
    assert.match((await snippetOf('lm_float32.safetensors', { shift: true })).snippet, /^labels = labels\[:, 1:\]\.contiguous\(\)$/m);
    assert.match(
      (await snippetOf('lm_float16.npz')).snippet,
      /^data = \{key: torch\.from_numpy\(value\) for key, value in np\.load\("lm_float16\.npz"\)\.items\(\)\}$/m,
    );
    assert.match(
      (await snippetOf('npy_float32/logits.npy')).snippet,
      /^data = \{"logits": torch\.from_numpy\(np\.load\("logits\.npy"\)\), "labels": torch\.from_numpy\(np\.load\("labels\.npy"\)\)\}$/m,
    );
    assert.match((await snippetOf('off_by_one.pt', { ignoreIndex: 5 })).snippet, /ignore_index=5\)$/m);
  });

  it('per-token log-probabilities: the mean of -log p over the positions the mask keeps; the derivation exports as Markdown', async () => {
    const { analysis, snippet } = await snippetOf('token_logprobs.pt');
    assert.match(snippet, /^log_p = data\["token_logprobs"\]\.double\(\)\nkeep = \(mask == 1\)\nloss = -log_p\[keep\]\.sum\(\) \/ keep\.sum\(\)$/m);
    assert.doesNotMatch(snippet, /cross_entropy/);
    const markdown = derivationMarkdown(analysis);
    assert.match(markdown, /^Check: sum over sequences of their NLL = token-level NLL sum: /m);
    assert.equal(markdown.match(/^\$\$$/gm)?.length, 2 * analysis.derivations[0]!.steps.length);
  });
});
