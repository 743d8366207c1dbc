// The comparison panel's messages, both ways, are validated: a real comparison of the fixtures passes,
// anything else is dropped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareInDetail } from '../../../src/analysis/compare';
import { analyzeSource } from '../../../src/analysis/sources/analyzeSource';
import { isComparisonDetail, parseComparisonHostMessage, parseComparisonPanelState, parseComparisonViewMessage } from '../../../src/protocol/webview';
import { compareFixture } from '../analysis/comparisonFixtures';

describe("the comparison panel's messages", () => {
  it('from the webview: ready, a row to reveal, a step to copy, what it rendered; nothing else', () => {
    assert.deepEqual(parseComparisonViewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseComparisonViewMessage({ type: 'revealRow', row: 17 }), { type: 'revealRow', row: 17 });
    assert.deepEqual(parseComparisonViewMessage({ type: 'copy', stepId: 'log-likelihood-ratio' }), { type: 'copy', stepId: 'log-likelihood-ratio' });
    assert.deepEqual(parseComparisonViewMessage({ type: 'rendered', version: 2, difference: -0.5, steps: 5, extra: 1 }), {
      type: 'rendered',
      version: 2,
      difference: -0.5,
      steps: 5,
    });
    for (const bad of [
      null,
      'ready',
      { type: 'revealRow', row: -1 },
      { type: 'revealRow', row: 1.5 },
      { type: 'revealRow', line: 3 },
      { type: 'copy', stepId: 'x'.repeat(101) },
      { type: 'rendered', version: 1.5, difference: 0, steps: 1 },
      { type: 'setOptions', options: {} },
    ])
      assert.equal(parseComparisonViewMessage(bad), undefined, JSON.stringify(bad));
  });

  it('from the host: a comparison of the fixtures, progress and a one-line error; a malformed detail is dropped', async () => {
    const analyze = (name: string) => analyzeSource({ kind: 'path', path: compareFixture(name) }, { keepRowLosses: true });
    const detail = compareInDetail(await analyze('a.csv'), await analyze('b.csv'));
    // What postMessage delivers: a structured clone, here its JSON.
    const sent = JSON.parse(JSON.stringify(detail));
    assert.ok(isComparisonDetail(sent));
    assert.deepEqual(parseComparisonHostMessage({ type: 'comparison', version: 1, detail: sent }), { type: 'comparison', version: 1, detail: sent });
    assert.deepEqual(parseComparisonHostMessage({ type: 'progress', message: 'Reading the files… 50%', fraction: 0.5 }), {
      type: 'progress',
      message: 'Reading the files… 50%',
      fraction: 0.5,
    });
    assert.deepEqual(parseComparisonHostMessage({ type: 'error', version: 2, message: 'b.csv: 3 rows' }), {
      type: 'error',
      version: 2,
      message: 'b.csv: 3 rows',
    });
    for (const broken of [
      { ...sent, plots: {} },
      { ...sent, comparison: { ...sent.comparison, crossEntropyDifference: '0.1' } },
      { ...sent, comparison: { ...sent.comparison, largestDifferences: { aWorse: [{ row: -1, lossA: 1, lossB: 2 }], bWorse: [] } } },
      { ...sent, plots: { ...sent.plots, scatter: { ...sent.plots.scatter, lossA: ['1'] } } },
    ])
      assert.equal(parseComparisonHostMessage({ type: 'comparison', version: 1, detail: broken }), undefined);
    assert.equal(parseComparisonHostMessage({ type: 'error', message: 'no version' }), undefined);
  });

  it("the panel's state names its two files, or is dropped", () => {
    assert.deepEqual(parseComparisonPanelState({ fileUriA: 'file:///a.csv', fileUriB: 'file:///b.csv', other: 1 }), {
      fileUriA: 'file:///a.csv',
      fileUriB: 'file:///b.csv',
    });
    assert.equal(parseComparisonPanelState({ fileUriA: 'file:///a.csv' }), undefined);
  });
});
