import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { analyzeSource } from '../../src/analysis/sources/analyzeSource';
import { summarizeTensorFile } from '../../src/analysis/sources/tensorSummary';
import type { Analysis } from '../../src/protocol/webview';
import { readTensorFile } from '../../src/readers/readTensorFile';
import { fixturePath } from '../helpers/fixtures';
import { launchChromium, openPanel, pageRecord, postToPanel, startPanelServer } from './harness';

// The words a PyTorch user reads in the panel and the tensor view: named as they would name them.
describe('the panel and the tensor view say what they show without a glossary', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startPanelServer>>;

  before(async () => {
    [browser, server] = await Promise.all([launchChromium(), startPanelServer()]);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function panelFor(analysis: Analysis, fileUri: string): Promise<Page> {
    const page = await openPanel(browser, server.origin, 'dark');
    await postToPanel(page, { type: 'analysis', version: 1, fileUri, analysis, options: {} });
    await page.waitForSelector('[data-testid="cross-entropy"]');
    return page;
  }

  const rolesText = (page: Page) => page.$eval('section.controls[aria-label="Roles"]', (el) => el.textContent ?? '');

  it('logits.npy: a label tensor, prediction tensors, and the file its labels came from', async () => {
    const analysis = await analyzeSource({ kind: 'path', path: fixturePath('eval', 'logits.npy') });
    const page = await panelFor(analysis, 'file:///workspace/logits.npy');
    assert.equal(await page.$eval('label[for="target"]', (el) => el.textContent), 'Label tensor');
    assert.equal(await page.$eval('fieldset.predictions legend', (el) => el.textContent), 'Prediction tensors');
    assert.equal(await page.$eval('[data-testid="partner"]', (el) => el.textContent), 'labels from labels.npy');
    assert.doesNotMatch(await rolesText(page), /column/);
    assert.deepEqual((await pageRecord(page)).errors, []);
    await page.close();
  });

  it('labels.npy: the predictions came from logits.npy', async () => {
    const analysis = await analyzeSource({ kind: 'path', path: fixturePath('eval', 'labels.npy') });
    const page = await panelFor(analysis, 'file:///workspace/labels.npy');
    assert.equal(await page.$eval('[data-testid="partner"]', (el) => el.textContent), 'predictions from logits.npy');
    await page.close();
  });

  it('a CSV: a label column, and the numeric column the names left out of the predictions, until it is ticked', async () => {
    const text = 'label,p0,p1,foo\n0,0.9,0.1,3\n1,0.2,0.8,4\n1,0.4,0.6,5\n';
    const analysis = await analyzeSource({ kind: 'bytes', name: 'extra.csv', bytes: new TextEncoder().encode(text) });
    assert.match(analysis.roles.reason, /left out 'foo' \(not a prediction name\)/);
    const page = await panelFor(analysis, 'file:///workspace/extra.csv');
    assert.equal(await page.$eval('label[for="target"]', (el) => el.textContent), 'Label column');
    assert.equal(
      await page.$eval('[data-testid="left-out"]', (el) => el.textContent),
      "left out: 'foo' (its name is not a prediction name); tick it to include it",
    );
    assert.equal(await page.locator('[data-testid="partner"]').count(), 0);
    await page.locator('vscode-checkbox[data-column="foo"]').click();
    const posted = (await pageRecord(page)).posted.filter((m) => (m as { type: string }).type === 'setOptions');
    assert.deepEqual(posted, [{ type: 'setOptions', options: { target: 'label', predictions: ['p0', 'p1', 'foo'] } }]);
    await page.close();
  });

  it('the temperature slider is labelled "Temperature T"', async () => {
    const analysis = await analyzeSource({ kind: 'path', path: fixturePath('classifier', 'basic.csv') });
    const page = await panelFor(analysis, 'file:///workspace/basic.csv');
    assert.equal(await page.$eval('label[for="temperature"]', (el) => el.textContent), 'Temperature T');
    await page.close();
  });

  for (const [file, count] of [
    [fixturePath('eval', 'eval.safetensors'), '2 tensors'],
    [fixturePath('tensors', 'float32.npy'), '1 tensor'],
  ] as const) {
    it(`the tensor view counts ${count}`, async () => {
      const summary = summarizeTensorFile(await readTensorFile(file), 'file');
      const page = await openPanel(browser, server.origin, 'dark', 1000, '/tensors');
      await postToPanel(page, { type: 'tensors', summary, analysable: true });
      await page.waitForSelector('[data-testid="tensor-table"]');
      assert.equal(await page.$eval('header .subtitle', (el) => el.textContent), `${summary.format} \u00b7 ${count}`);
      await page.close();
    });
  }
});
