import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { fileSource } from '../../src/readers/byteSource';
import { DEFAULT_LIMITS } from '../../src/readers/limits';
import { openZip } from '../../src/readers/zip';
import { readJson, REPO_ROOT } from '../helpers/fixtures';
import { openWorkbench, startCodeServer } from './codeServer';

const VSIX = join(REPO_ROOT, 'likelihood-lens.vsix');
const ARTIFACTS = join(REPO_ROOT, 'test-results');

async function runFromPalette(page: Page, title: string): Promise<void> {
  await focusWorkbench(page);
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** Keys typed while a webview has focus go to the webview: click the explorer's empty space first. */
async function focusWorkbench(page: Page): Promise<void> {
  await page.locator('.explorer-folders-view').click({ position: { x: 30, y: 400 } });
}

async function quickOpen(page: Page, fileName: string): Promise<void> {
  await focusWorkbench(page);
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(fileName);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: fileName }).waitFor({ timeout: 15_000 });
}

/**
 * A webview's document sits in nested iframes: look in every frame. While waiting, the mouse moves
 * as a person's would: in a headless page with no input at all, a webview can wait indefinitely to
 * be laid out and loaded (test/vscode/codeServer.ts does the same for the extension-host suite).
 */
async function findInFrames(page: Page, selector: string, timeoutMs: number): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (let step = 0; Date.now() < deadline; step++) {
    await page.mouse.move(700 + ((step * 37) % 200), 450).catch(() => undefined);
    for (const frame of page.frames()) {
      if (
        (await frame
          .locator(selector)
          .count()
          .catch(() => 0)) > 0
      )
        return frame;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no frame shows ${selector} after ${timeoutMs / 1000} s`);
}

describe('the packaged VSIX in a real VS Code, driven like a user', () => {
  it('installs, and "Likelihood Lens: Open Loss Panel" from the palette shows the cross-entropy PyTorch computes', async (t) => {
    assert.ok(existsSync(VSIX), 'npm run package wrote likelihood-lens.vsix');
    // Every script the extension starts a thread from is packaged.
    const source = await fileSource(VSIX, 'likelihood-lens.vsix');
    try {
      const members = (await openZip(source, DEFAULT_LIMITS, 1000)).members.map((member) => member.name);
      for (const script of ['extension.js', 'worker.js', 'scoringThread.js', 'cli.js'])
        assert.ok(members.includes(`extension/dist/${script}`), `the VSIX holds dist/${script}`);
    } finally {
      await source.close();
    }
    const expected = readJson<{ crossEntropy: number; n: number }>(join(REPO_ROOT, 'media', 'samples', 'expected.json'));
    const workspace = mkdtempSync(join(tmpdir(), 'likelihood-lens-samples-'));
    cpSync(join(REPO_ROOT, 'media', 'samples'), workspace, { recursive: true });
    const server = await startCodeServer({ vsix: VSIX });
    const workbench = await openWorkbench(server, workspace);
    const pageErrors: string[] = [];
    try {
      const { page } = workbench;
      // The webviews' errors and failed fetches, for the report of a failure.
      page.on('console', (message) => {
        if (message.type() === 'error' && message.location().url.includes('likelihood-lens')) pageErrors.push(`[console] ${message.text().slice(0, 300)}`);
      });
      page.on(
        'requestfailed',
        (request) =>
          request.url().includes('likelihood-lens') && pageErrors.push(`[request failed] ${request.url().slice(-120)}: ${request.failure()?.errorText}`),
      );
      await page.locator('.explorer-folders-view').waitFor({ timeout: 60_000 });
      await quickOpen(page, 'classifier.csv');
      await runFromPalette(page, 'Likelihood Lens: Open Loss Panel');
      const frame = await findInFrames(page, '[data-testid="cross-entropy"]', 60_000);
      const value = Number(await frame.locator('[data-testid="cross-entropy"]').getAttribute('data-value'));
      assert.ok(Math.abs(value - expected.crossEntropy) <= 1e-9 * expected.crossEntropy, `panel shows ${value}, PyTorch gives ${expected.crossEntropy}`);
      assert.equal(Number(await frame.locator('[data-testid="rows"]').getAttribute('data-value')), expected.n);
      assert.ok((await frame.locator('.katex').count()) >= 7, 'the derivation is rendered by KaTeX');
      // A worst row, clicked in the panel, is selected in the editor.
      const worstLine = Number(await frame.locator('button[data-line]').first().getAttribute('data-line'));
      await frame.locator('button[data-line]').first().click();
      await page.locator('.statusbar-item', { hasText: new RegExp(`Ln ${worstLine}, Col \\d+ \\(\\d+ selected\\)`) }).waitFor({ timeout: 15_000 });
      // Close everything, then a second file gets a panel of its own: the .npy pair opens in the tensor view, then its loss panel.
      await runFromPalette(page, 'View: Close All Editors');
      await page.waitForTimeout(1000);
      const tensorsExpected = readJson<Record<string, { crossEntropy: number }>>(join(REPO_ROOT, 'test', 'fixtures', 'eval', 'expected.json'));
      await quickOpen(page, 'logits.npy');
      const tensorFrame = await findInFrames(page, '[data-testid="tensor-table"]', 60_000);
      assert.deepEqual(await tensorFrame.locator('[data-testid="tensor-row"]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-name'))), [
        'logits',
      ]);
      await tensorFrame.locator('[data-testid="open-loss-panel"]').click();
      const second = await findInFrames(page, '[data-testid="cross-entropy"][data-value^="0.70793"]', 60_000);
      const pairValue = Number(await second.locator('[data-testid="cross-entropy"]').getAttribute('data-value'));
      assert.ok(Math.abs(pairValue - tensorsExpected['logits.npy']!.crossEntropy) <= 1e-12, `${pairValue}`);
      // The status bar follows the active data file: back to the CSV, from the explorer.
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'classifier.csv' }).click();
      await page.locator('.tab.active', { hasText: 'classifier.csv' }).waitFor({ timeout: 15_000 });
      await page.locator('.statusbar-item', { hasText: /CE \d\.\d+ nats · n 500/ }).waitFor({ timeout: 20_000 });
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-vscode.png') });
      // After a window reload the loss panel comes back with its numbers ("Developer: Reload Window"
      // saves the layout first, as a user's reload does).
      await runFromPalette(page, 'Developer: Reload Window');
      await page.waitForLoadState('load');
      await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
      await page.locator('.tab', { hasText: 'Loss: logits.npy' }).click({ timeout: 60_000 });
      const restored = await findInFrames(page, '[data-testid="cross-entropy"][data-value^="0.70793"]', 60_000);
      assert.equal(Number(await restored.locator('[data-testid="cross-entropy"]').getAttribute('data-value')), pairValue);
    } catch (error) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await workbench.page.screenshot({ path: join(ARTIFACTS, 'e2e-vscode-failure.png') }).catch(() => undefined);
      // What each frame showed and what the extension logged: a webview that never loaded, one
      // left waiting for the host, and a host that failed read differently here.
      const frames: string[] = [];
      for (const frame of workbench.page.frames()) {
        const text = await frame.evaluate(() => document.body?.innerText.slice(0, 160) ?? '').catch(() => '(unreadable)');
        frames.push(`[frame] ${frame.url().slice(0, 100)} :: ${text.replace(/\s+/g, ' ')}`);
      }
      const report = [...frames, ...pageErrors, server.logs()].join('\n');
      writeFileSync(join(ARTIFACTS, 'e2e-vscode-failure.log'), report);
      const extensionLog = report.split('\n== ').filter((part) => /Likelihood Lens|exthost\.log/.test(part.split('\n')[0] ?? ''));
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\n${[...frames, ...pageErrors].join('\n')}\n== ${extensionLog.join('\n== ')}`.slice(0, 12000),
        {
          cause: error,
        },
      );
    } finally {
      // A page set again because its script could not be fetched (src/panel/webviewLoad.ts) is worth seeing in the output.
      for (const line of server.logs().split('\n')) if (line.includes('could not be fetched')) t.diagnostic(line);
      await workbench.close();
      await server.stop();
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
