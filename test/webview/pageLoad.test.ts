// The page every webview loads (src/panel/webviewHtml.ts), in headless Chromium under its real CSP:
// a script that cannot be fetched is reported to the host, and a page that loads reports nothing of the kind.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, openPanel, pageRecord, startPanelServer } from './harness';

describe("a webview page's load, in headless Chromium", () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startPanelServer>>;
  before(async () => {
    server = await startPanelServer();
    browser = await launchChromium();
  });
  after(async () => {
    await browser.close();
    await server.close();
  });

  it('asks the host to set the page again when its script cannot be fetched, within the CSP', async () => {
    const page = await openPanel(browser, server.origin, 'dark', 800, '/unfetchable');
    const record = await pageRecord(page);
    assert.deepEqual(record.posted, [{ type: 'loadFailed' }]);
    assert.deepEqual(record.violations, []);
    await page.close();
  });

  for (const [path, script] of [
    ['/', 'the loss panel'],
    ['/tensors', 'the tensor view'],
    ['/compare', 'the comparison'],
  ] as const) {
    it(`reports only that it is ready when ${script}'s script loads`, async () => {
      const page = await openPanel(browser, server.origin, 'light', 800, path);
      const record = await pageRecord(page);
      assert.deepEqual(record.posted, [{ type: 'ready' }]);
      assert.deepEqual(record.violations, []);
      await page.close();
    });
  }
});
