import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeSource } from '../../../src/analysis/sources/analyzeSource';
import { copiedMarkdown } from '../../../src/panel/copiedMarkdown';
import { readJson, REPO_ROOT } from '../../helpers/fixtures';

describe('the derivation copied as Markdown', () => {
  it('says its numbers are nats, losses per row and log-likelihoods summed', async () => {
    const expected = readJson<{ n: number; crossEntropy: number }>(join(REPO_ROOT, 'media', 'samples', 'expected.json'));
    const analysis = await analyzeSource({ kind: 'path', path: join(REPO_ROOT, 'media', 'samples', 'classifier.csv') });
    const lines = copiedMarkdown(analysis).split('\n');
    assert.equal(lines[0], '# classifier.csv');
    assert.equal(
      lines[2],
      `Logarithms are natural: losses and cross-entropies are in nats per row (the mean over ${expected.n} rows), log-likelihoods in nats, summed.`,
    );
    // The cross-entropy the Markdown states is the per-row mean F.nll_loss gives.
    assert.ok(lines.some((line) => line.includes(expected.crossEntropy.toPrecision(9))));
  });
});
