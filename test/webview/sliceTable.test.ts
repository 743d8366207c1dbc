import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { analyzeSource } from '../../src/analysis/sources/analyzeSource';
import type { HostMessage } from '../../src/protocol/webview';
import { classification, fixturePath } from '../helpers/fixtures';
import { launchChromium, openPanel, pageRecord, postToPanel, startPanelServer } from './harness';

describe('the per-slice tables in headless Chromium', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startPanelServer>>;

  before(async () => {
    [browser, server] = await Promise.all([launchChromium(), startPanelServer()]);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("one sortable table per slice column, with the analysis' figures", async () => {
    const analysis = classification(await analyzeSource({ kind: 'path', path: fixturePath('slices', 'sliced.csv') }));
    const page = await openPanel(browser, server.origin, 'light');
    await postToPanel(page, { type: 'analysis', version: 1, fileUri: 'file:///workspace/sliced.csv', analysis, options: {} } satisfies HostMessage);
    await page.waitForSelector('[data-testid="slice-table"]');
    const columns = await page.$$eval('[data-slice-column]', (tables) => tables.map((table) => table.getAttribute('data-slice-column')));
    assert.deepEqual(columns, ['split', 'language', 'source']);
    const language = analysis.bySlice!.columns[1]!;
    const order = () => page.$$eval('[data-slice-column="language"] [data-testid="slice-row"]', (rows) => rows.map((row) => row.getAttribute('data-slice')));
    // Most rows first.
    assert.deepEqual(
      await order(),
      [...language.slices].sort((a, b) => b.rows - a.rows).map((slice) => slice.value),
    );
    const ja = language.slices.find((slice) => slice.value === 'ja')!;
    const shown = await page.$eval('[data-slice-column="language"] [data-slice="ja"] td:nth-child(3)', (el) => ({
      text: el.textContent ?? '',
      value: Number(el.getAttribute('data-value')),
    }));
    assert.equal(shown.value, ja.crossEntropy);
    assert.match(shown.text, /^\d\.\d+ \u00b1 0\.\d+$/);
    await page.click('[data-slice-column="language"] button[data-sort="crossEntropy"]');
    const byLoss = [...language.slices].sort((a, b) => b.crossEntropy - a.crossEntropy).map((slice) => slice.value);
    assert.deepEqual(await order(), byLoss);
    // The harder language has the highest loss.
    assert.equal(byLoss[0], 'ja');
    await page.click('[data-slice-column="language"] button[data-sort="crossEntropy"]');
    assert.deepEqual(await order(), [...byLoss].reverse());
    assert.deepEqual((await pageRecord(page)).errors, []);
    await page.close();
  });
});
