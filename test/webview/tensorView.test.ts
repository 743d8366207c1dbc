import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { summarizeTensorFile } from '../../src/analysis/sources/tensorSummary';
import type { TensorFileSummary } from '../../src/protocol/webview';
import { readTensorFile } from '../../src/readers/readTensorFile';
import { fixturePath, REPO_ROOT } from '../helpers/fixtures';
import { launchChromium, openPanel, pageRecord, postToPanel, startPanelServer } from './harness';

describe('tensor view webview in headless Chromium', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startPanelServer>>;
  let summary: TensorFileSummary;

  before(async () => {
    [browser, server] = await Promise.all([launchChromium(), startPanelServer()]);
    summary = summarizeTensorFile(await readTensorFile(fixturePath('eval', 'eval.safetensors')), 'eval.safetensors');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    it(`lists every tensor with its statistics and the file's metadata (${theme})`, async () => {
      const page = await openPanel(browser, server.origin, theme, 1000, '/tensors');
      await postToPanel(page, { type: 'tensors', summary, analysable: true });
      await page.waitForSelector('[data-testid="tensor-table"]');
      const rows = await page.$$eval('[data-testid="tensor-row"]', (trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent)));
      assert.deepEqual(
        rows.map((r) => r.slice(0, 3)),
        [
          ['logits', 'float16', '[300, 5]'],
          ['labels', 'int64', '[300]'],
        ],
      );
      assert.deepEqual(rows[1]!.slice(3, 8), ['0', '4', String(summary.tensors[1]!.mean!.toPrecision(6)).replace(/0+$/, ''), '0', '0']);
      assert.equal(await page.locator('dl.metadata dt').count(), 2);
      const record = await pageRecord(page);
      assert.deepEqual(record.violations, []);
      assert.deepEqual(record.errors, []);
      mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true });
      await page.screenshot({ path: join(REPO_ROOT, 'test-results', `tensor-view-${theme}.png`), fullPage: true });
      await page.close();
    });
  }

  it('keeps the preview column readable in a 500 px panel: the table scrolls instead', async () => {
    const page = await openPanel(browser, server.origin, 'dark', 500, '/tensors');
    await postToPanel(page, { type: 'tensors', summary, analysable: true });
    await page.waitForSelector('[data-testid="tensor-table"]');
    const widths = await page.$$eval('td.preview', (cells) =>
      cells.map((cell) => cell.getBoundingClientRect().width / parseFloat(getComputedStyle(cell).fontSize)),
    );
    for (const em of widths) assert.ok(em >= 8, `the preview column is ${em.toFixed(1)} em wide`);
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)) <= 0, 'only the table scrolls');
    await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'tensor-view-500px-dark.png'), fullPage: true });
    await page.close();
  });

  it('its buttons ask the host to open the loss panel or the default editor, and nothing else', async () => {
    const page = await openPanel(browser, server.origin, 'dark', 1000, '/tensors');
    await postToPanel(page, { type: 'tensors', summary, analysable: true });
    await page.locator('[data-testid="open-loss-panel"]').click();
    await page.locator('[data-testid="reopen-default"]').click();
    assert.deepEqual((await pageRecord(page)).posted, [{ type: 'ready' }, { type: 'openLossPanel' }, { type: 'reopenWithDefault' }]);
    // A file with no predictions and labels offers no loss panel.
    await postToPanel(page, { type: 'tensors', summary, analysable: false });
    // Messages arrive as events: wait for the re-render rather than racing it.
    await page.waitForFunction(() => document.querySelector('[data-testid="open-loss-panel"]') === null, undefined, { timeout: 5000 });
    assert.equal(await page.locator('[data-testid="reopen-default"]').count(), 1);
    await page.close();
  });

  it('shows tensor names and metadata as text, and errors from the host', async () => {
    const page = await openPanel(browser, server.origin, 'light', 1000, '/tensors');
    const hostile = '<img src=x onerror="window.__pwned=1">';
    const tampered: TensorFileSummary = { ...summary, tensors: [{ ...summary.tensors[0]!, name: hostile }], metadata: { [hostile]: hostile } };
    await postToPanel(page, { type: 'tensors', summary: tampered, analysable: false });
    await page.waitForSelector('[data-testid="tensor-row"]');
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('th.name').textContent(), hostile);
    await postToPanel(page, { type: 'error', message: 'eval.safetensors: the file was deleted' });
    assert.equal(await page.locator('[data-testid="error"]').textContent(), 'eval.safetensors: the file was deleted');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    await page.close();
  });
});
