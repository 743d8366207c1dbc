// The comparison panel's webview in headless Chromium, under the real page and CSP: the numbers it
// shows are NumPy's and SciPy's for test/fixtures/compare (expected.json, gen_compare.py).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { compareInDetail } from '../../src/analysis/compare';
import { analyzeSource } from '../../src/analysis/sources/analyzeSource';
import { plainNumber, type ComparisonDetail } from '../../src/protocol/webview';
import { REPO_ROOT } from '../helpers/fixtures';
import { compareExpected, compareFixture } from '../unit/analysis/comparisonFixtures';
import { launchChromium, openPanel, pageRecord, postToPanel, startPanelServer } from './harness';

/** As the panel writes a number: significant digits, typographic minus. */
const shown = (value: number, digits: number) => plainNumber(value, digits).replace('-', '\u2212');
const text = (page: Page, testId: string) => page.locator(`[data-testid="${testId}"] .card-value`).innerText();

describe('comparison panel webview in headless Chromium', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startPanelServer>>;
  let detail: ComparisonDetail;
  const want = compareExpected.csv;

  before(async () => {
    [browser, server] = await Promise.all([launchChromium(), startPanelServer()]);
    const analyze = (name: string) => analyzeSource({ kind: 'path', path: compareFixture(name) }, { keepRowLosses: true });
    detail = compareInDetail(await analyze('a.csv'), await analyze('b.csv'));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    it(`shows the difference, its intervals, McNemar's test and the derivation with the files' numbers (${theme})`, async () => {
      const page = await openPanel(browser, server.origin, theme, 1100, '/compare');
      await postToPanel(page, { type: 'comparison', version: 3, detail });
      await page.waitForSelector('[data-testid="plot-scatter"] canvas');
      assert.equal(await page.locator('h1').innerText(), 'A: a.csv \u00b7 B: b.csv');
      assert.equal(await text(page, 'difference'), `${shown(want.crossEntropyDifference, 8)} nats`);
      assert.match(await page.locator('[data-testid="difference"]').innerText(), new RegExp(`standard error ${shown(want.differenceStdError, 6)}`));
      const interval = (i: { lower: number; upper: number }) => `[${shown(i.lower, 6)}, ${shown(i.upper, 6)}]`;
      assert.equal(await text(page, 'normal-interval'), interval(want.normalInterval95));
      assert.equal(await text(page, 'bootstrap-interval'), interval(want.bootstrapInterval95));
      assert.match(
        await page.locator('[data-testid="bootstrap-interval"]').innerText(),
        new RegExp(`${want.bootstrapInterval95.replicates} replicates, seed ${want.bootstrapInterval95.seed}`),
      );
      assert.equal(await text(page, 'log-likelihood-ratio'), `${shown(want.logLikelihoodRatio, 10)} nats`);
      assert.equal(await text(page, 'cross-entropy-a'), `${shown(want.crossEntropyA, 8)} nats`);
      assert.equal(await text(page, 'cross-entropy-b'), `${shown(want.crossEntropyB, 8)} nats`);
      assert.equal(await text(page, 'wins'), `A ${want.winsA} \u00b7 B ${want.winsB}`);
      const c = want.correctness;
      assert.equal(await text(page, 'mcnemar'), shown(c.mcnemar.pValue, 6));
      assert.equal(await text(page, 'flips'), `${c.mcnemar.aRightBWrong} \u2192 ${c.mcnemar.aWrongBRight}`);
      assert.equal(await text(page, 'accuracy'), `A ${shown(c.accuracyA, 6)} \u00b7 B ${shown(c.accuracyB, 6)}`);
      // The derivation: every step set by KaTeX, every check holding, the ratio with the files' n.
      await page.waitForSelector('[data-testid="derivation-step"] .katex');
      assert.equal(await page.locator('[data-testid="derivation-step"]').count(), 5);
      const checks = await page.$$eval('[data-testid="identity-check"]', (els) => els.map((el) => el.getAttribute('data-holds')));
      assert.deepEqual(checks, ['true', 'true', 'true', 'true']);
      assert.match((await page.locator('#step-log-likelihood-ratio annotation').textContent()) ?? '', new RegExp(`-${want.n}\\\\times`));
      // The tables of the largest differences, each way, in the generator's order.
      const rows = (testId: string) => page.$$eval(`[data-testid="${testId}"] tbody tr`, (trs) => trs.map((tr) => Number(tr.getAttribute('data-row'))));
      assert.deepEqual(await rows('a-worse'), want.aWorseRows);
      assert.deepEqual(await rows('b-worse'), want.bWorseRows);
      for (const id of ['plot-scatter', 'plot-difference-histogram', 'plot-difference-running-mean'])
        assert.equal(await page.locator(`[data-testid="${id}"] canvas`).count(), 1, id);
      const record = await pageRecord(page);
      assert.deepEqual(record.violations, []);
      assert.deepEqual(record.errors, []);
      const rendered = record.posted.find((m) => (m as { type: string }).type === 'rendered') as { version: number; difference: number; steps: number };
      assert.deepEqual(rendered, { type: 'rendered', version: 3, difference: detail.comparison.crossEntropyDifference, steps: 5 });
      mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true });
      await page.screenshot({ path: join(REPO_ROOT, 'test-results', `compare-panel-${theme}.png`), fullPage: true });
      await page.close();
    });
  }

  it('fits a 500 px panel: the page does not scroll sideways', async () => {
    const page = await openPanel(browser, server.origin, 'dark', 500, '/compare');
    await postToPanel(page, { type: 'comparison', version: 1, detail });
    await page.waitForSelector('[data-testid="plot-difference-running-mean"] canvas');
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)) <= 0, 'only tables and equations scroll');
    await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'compare-panel-500px-dark.png'), fullPage: true });
    await page.close();
  });

  it('asks the host to reveal a row when a row of the table, or a flipped row, is clicked or entered', async () => {
    const page = await openPanel(browser, server.origin, 'dark', 1100, '/compare');
    await postToPanel(page, { type: 'comparison', version: 1, detail });
    await page.waitForSelector('[data-testid="a-worse"]');
    await page.locator('[data-testid="b-worse"] tbody tr').first().click();
    await page.locator('[data-testid="a-worse"] tbody tr').nth(1).focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="flipped-rows"] button').first().click();
    const reveals = (await pageRecord(page)).posted.filter((m) => (m as { type: string }).type === 'revealRow');
    assert.deepEqual(reveals, [
      { type: 'revealRow', row: want.bWorseRows[0] },
      { type: 'revealRow', row: want.aWorseRows[1] },
      { type: 'revealRow', row: want.correctness.aRightBWrongRows[0] },
    ]);
    await page.close();
  });

  it('shows a refusal in one line, in place: alone at first, over the last numbers after', async () => {
    const page = await openPanel(browser, server.origin, 'light', 900, '/compare');
    const message = "b_label_changed.csv: row 17: label 2 differs from a.csv's 1: a comparison needs the same labels";
    await postToPanel(page, { type: 'error', version: 1, message });
    await page.waitForSelector('[data-testid="error"]');
    assert.equal(await page.locator('[data-testid="error"]').innerText(), message);
    assert.equal(await page.locator('[data-testid="difference"]').count(), 0);
    await postToPanel(page, { type: 'comparison', version: 2, detail });
    await page.waitForSelector('[data-testid="difference"]');
    assert.equal(await page.locator('[data-testid="error"]').count(), 0);
    await postToPanel(page, { type: 'error', version: 3, message: 'b_short.csv: 397 rows, a.csv has 400: a comparison needs the same rows in both files' });
    await page.waitForSelector('[data-testid="error"]');
    assert.match(await page.locator('.stale-note').innerText(), /last comparison that succeeded/);
    assert.equal(await text(page, 'difference'), `${shown(want.crossEntropyDifference, 8)} nats`);
    // Anything that is not one of the host's messages is dropped.
    await postToPanel(page, { type: 'comparison', version: 4, detail: { ...detail, plots: {} } });
    await postToPanel(page, { type: 'error', message: 'no version' });
    assert.equal(await page.locator('[data-testid="error"]').count(), 1);
    await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'compare-panel-error-light.png'), fullPage: true });
    await page.close();
  });
});
