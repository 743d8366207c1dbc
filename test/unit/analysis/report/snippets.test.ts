import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSource } from '../../../../src/analysis/sources/analyzeSource';
import { derivationMarkdown, pythonSnippet } from '../../../../src/analysis/report/snippets';
import { fixturePath } from '../../../helpers/fixtures';

const analyze = (name: string) => analyzeSource({ kind: 'path', path: fixturePath('classifier', name) });

describe('exports of the derivation', () => {
  it('the PyTorch snippet loads the same columns and calls the loss that matches the prediction kind', async () => {
    const probs = pythonSnippet(await analyze('basic.csv'));
    assert.match(probs, /^df = pd\.read_csv\("basic\.csv"\)$/m);
    assert.match(probs, /df\[\["p0", "p1", "p2", "p3"\]\]/);
    assert.match(probs, /^print\(F\.nll_loss\(torch\.log\(scores\), y\)\.item\(\)\) {2}# cross-entropy; Likelihood Lens: 0\.677915621\d*$/m);
    assert.match(probs, /log_loss\(y\.numpy\(\), scores\.numpy\(\), labels=list\(range\(4\)\)\)/);
    const logits = pythonSnippet(await analyze('logits.csv'));
    assert.match(logits, /F\.cross_entropy\(scores, y\)/);
    assert.doesNotMatch(logits, /log_loss/);
    assert.match(pythonSnippet(await analyze('tabs.tsv')), /pd\.read_csv\("tabs\.tsv", sep="\\t"\)/);
    assert.match(pythonSnippet(await analyze('logprobs.csv')), /F\.nll_loss\(scores, y\)/);
  });

  it('the Markdown has every step in display math, with the checks', async () => {
    const analysis = await analyze('basic.csv');
    const markdown = derivationMarkdown(analysis);
    const steps = analysis.derivations.flatMap((derivation) => derivation.steps);
    assert.ok(analysis.derivations.length >= 3, 'classification, conditional MLE (4)-(9), unconditional MLE (1)-(3)');
    assert.equal(markdown.match(/^\$\$$/gm)?.length, 2 * steps.length);
    for (const step of steps) assert.ok(markdown.includes(step.latex));
    assert.match(markdown, /^Check: log L = -n x CE: /m);
    assert.equal(markdown.match(/^Restatement of .*, not a check\.$/gm)?.length, steps.filter((step) => step.restatement).length);
    assert.ok(steps.some((step) => step.restatement));
  });
});
