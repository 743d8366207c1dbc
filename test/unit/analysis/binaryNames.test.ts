// A file with one prediction column is a binary classifier: every name the status bar, the CLI and
// the derivations give its loss is the binary cross-entropy, never the categorical one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeSource } from '../../../src/analysis/sources/analyzeSource';
import { headline } from '../../../src/analysis/results';
import { textReport } from '../../../src/cli/report';
import { assertClose, classification, fixturePath, readJson } from '../../helpers/fixtures';

const expected = readJson<Record<string, { crossEntropy: number; task: string }>>(fixturePath('classifier', 'expected.json'));

describe('a binary file says binary cross-entropy', () => {
  for (const file of ['binary.csv', 'binary_logits.csv']) {
    it(`headline, CLI report and derivation titles (${file})`, async () => {
      const analysis = classification(await analyzeSource({ kind: 'path', path: fixturePath('classifier', file) }));
      assert.equal(analysis.task, expected[file]!.task);
      const main = headline(analysis);
      assert.deepEqual({ label: main.label, short: main.short }, { label: 'binary cross-entropy', short: 'BCE' });
      assertClose(main.value, expected[file]!.crossEntropy, 1e-12, 'F.binary_cross_entropy');
      assert.match(textReport(analysis, 'nats'), /^ {2}binary cross-entropy +\d/m);
      assert.match(analysis.derivations[0]!.title, /binary cross-entropy/);
      const titles = analysis.derivations.flatMap((d) => [d.title, ...d.steps.map((step) => step.title)]);
      assert.deepEqual(
        titles.filter((title) => /categorical/i.test(title)),
        [],
      );
      assert.equal(analysis.derivations.at(-1)!.id, 'unconditional-mle-bernoulli', 'labels 0 and 1 fitted as a Bernoulli');
    });
  }

  it('a categorical file keeps the cross-entropy', async () => {
    const analysis = classification(await analyzeSource({ kind: 'path', path: fixturePath('classifier', 'basic.csv') }));
    assert.equal(analysis.task, 'categorical');
    const main = headline(analysis);
    assert.deepEqual({ label: main.label, short: main.short }, { label: 'cross-entropy', short: 'CE' });
    assert.doesNotMatch(textReport(analysis, 'nats'), /binary/);
  });
});
