// An lm-evaluation-harness multiple-choice samples file in the loss panel: the analysis is the real
// one of the fixture, and the probabilities are checked against PyTorch's softmax (expected.json).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { analyzeSource } from '../../src/analysis/sources/analyzeSource';
import type { ClassificationAnalysis } from '../../src/analysis/results';
import type { HostMessage } from '../../src/protocol/webview';
import { fixturePath, readJson, REPO_ROOT } from '../helpers/fixtures';
import { launchChromium, openPanel, pageRecord, postToPanel, startPanelServer } from './harness';
import type { ThemeName } from './themes';

const ARTIFACTS = join(REPO_ROOT, 'test-results');

interface ExpectedDocument {
  docId: number;
  question: string;
  choices: string[];
  logLikelihoods: number[];
  probabilities: number[];
  gold: number;
  argmax: number;
}
const want = readJson<{
  multipleChoice: { file: string; acc: number; acc_stderr: number; acc_norm: number; storedAcc: number; crossEntropy: number; perDocument: ExpectedDocument[] };
}>(fixturePath('evallog', 'expected.json')).multipleChoice;

const close = (a: number, b: number, tolerance: number) => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b));
/** A number as the panel prints it (typographic minus). */
const parse = (text: string) => Number(text.replace('\u2212', '-'));

describe('an lm-eval multiple-choice samples file in the loss panel, in headless Chromium', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startPanelServer>>;
  let analysis: ClassificationAnalysis;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    [browser, server, analysis] = await Promise.all([
      launchChromium(),
      startPanelServer(),
      analyzeSource({ kind: 'path', path: fixturePath('evallog', want.file) }) as Promise<ClassificationAnalysis>,
    ]);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function panel(theme: ThemeName, width = 1100): Promise<Page> {
    const page = await openPanel(browser, server.origin, theme, width);
    const message: HostMessage = { type: 'analysis', version: 1, fileUri: `file:///workspace/${want.file}`, analysis, options: {} };
    await postToPanel(page, message);
    await page.waitForSelector('[data-testid="lm-eval-document"]');
    await page.evaluate(() => document.fonts.ready);
    return page;
  }

  /** The choices the document view shows now. */
  const shownChoices = (page: Page) =>
    page.$$eval('[data-testid="lm-eval-choice"]', (rows) =>
      rows.map((row) => ({
        probability: Number(row.getAttribute('data-probability')),
        logLikelihood: Number(row.getAttribute('data-log-likelihood')),
        text: row.querySelector('.lm-eval-choice-text')?.textContent ?? '',
        gold: row.querySelector('[data-testid="gold-mark"]') !== null,
        argmax: row.querySelector('[data-testid="argmax-mark"]') !== null,
        cells: [...row.querySelectorAll('td')].map((cell) => cell.textContent ?? ''),
      })),
    );

  function assertDocument(shown: Awaited<ReturnType<typeof shownChoices>>, doc: ExpectedDocument): void {
    assert.equal(shown.length, doc.choices.length, `doc_id ${doc.docId} has ${doc.choices.length} choices`);
    shown.forEach((choice, j) => {
      assert.ok(
        close(choice.probability, doc.probabilities[j]!, 1e-13),
        `doc_id ${doc.docId} choice ${j}: ${choice.probability} vs PyTorch ${doc.probabilities[j]}`,
      );
      assert.ok(close(parse(choice.cells[2]!), doc.probabilities[j]!, 1e-5), `the probability printed: ${choice.cells[2]}`);
      assert.equal(choice.logLikelihood, doc.logLikelihoods[j]);
      assert.equal(choice.text, doc.choices[j]);
      assert.equal(choice.gold, j === doc.gold, `gold mark on choice ${j}`);
      assert.equal(choice.argmax, j === doc.argmax, `argmax mark on choice ${j}`);
    });
  }

  it('shows the cards and the metric table: recomputed, stored in the samples, and from the results file', async () => {
    const page = await panel('light');
    const card = (id: string) => page.$eval(`[data-testid="${id}"]`, (el) => Number(el.getAttribute('data-value')));
    assert.ok(close(await card('cross-entropy'), want.crossEntropy, 1e-13));
    assert.ok(close(await card('accuracy'), want.acc, 1e-15), 'accuracy is acc');
    const row = (metric: string) =>
      page.$$eval(`[data-testid="lm-eval-metrics"] tr[data-metric="${metric}"] td`, (cells) => cells.map((cell) => cell.textContent ?? ''));
    const acc = await row('acc');
    assert.equal(acc[0], 'acc');
    assert.ok(close(parse(acc[1]!), want.acc, 1e-8), `recomputed ${acc[1]}`);
    assert.ok(close(parse(acc[2]!), want.acc_stderr, 1e-6), `stderr ${acc[2]}`);
    assert.ok(close(parse(acc[3]!), want.storedAcc, 1e-8), `stored ${acc[3]}`);
    assert.ok(close(parse(acc[4]!.split(' \u00b1 ')[0]!), want.acc, 1e-8), `results file ${acc[4]}`);
    assert.equal(acc[5], '1', 'one document stores an acc that differs');
    const headers = await page.$$eval('[data-testid="lm-eval-metrics"] th', (cells) => cells.map((cell) => cell.textContent));
    assert.match(headers[4] ?? '', /^results_2024-06-01T10-00-00\.123456\.json$/);
    assert.ok(close(parse((await row('acc_norm'))[1]!), want.acc_norm, 1e-8));
    assert.deepEqual((await pageRecord(page)).errors, []);
    await page.close();
  });

  it('opens the worst document first, with the probabilities PyTorch gives, and any other from the keyboard', async () => {
    const page = await panel('dark');
    const worst = analysis.plots.worstRows[0]!;
    // The worst row's document: the one with the smallest probability of its gold.
    const worstDoc = [...want.perDocument].sort((a, b) => a.probabilities[a.gold]! - b.probabilities[b.gold]!)[0]!;
    assert.ok(close(-Math.log(worstDoc.probabilities[worstDoc.gold]!), worst.loss, 1e-12));
    assert.equal(await page.getAttribute('[data-testid="lm-eval-document"]', 'data-doc-id'), String(worstDoc.docId));
    assert.equal(await page.textContent('[data-testid="lm-eval-question"]'), worstDoc.question);
    assertDocument(await shownChoices(page), worstDoc);

    // From the keyboard: Tab until the picker has the focus, then pick with the arrow keys.
    await page.locator('body').focus();
    let focused = '';
    for (let i = 0; i < 60 && focused !== 'lm-eval-document-pick'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.id ?? '');
    }
    assert.equal(focused, 'lm-eval-document-pick', 'the document picker is reachable with Tab');
    const options = await page.$$eval('[data-testid="lm-eval-document-pick"] option', (items) => items.map((item) => item.textContent ?? ''));
    const worstCount = analysis.plots.worstRows.length;
    assert.equal(options.length, worstCount + want.perDocument.length, 'the worst documents, then every document kept');
    // The first document of the file, doc_id 1 (4 choices, gold index 3), is the second of the list after the worst ones.
    await page.selectOption('[data-testid="lm-eval-document-pick"]', String(worstCount + 1));
    await page.waitForSelector('[data-testid="lm-eval-document"][data-doc-id="1"]');
    assertDocument(await shownChoices(page), want.perDocument[1]!);
    // One arrow key down: the next document, doc_id 2.
    await page.focus('[data-testid="lm-eval-document-pick"]');
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector('[data-testid="lm-eval-document"][data-doc-id="2"]');
    assertDocument(await shownChoices(page), want.perDocument[2]!);
    // A document with 3 choices (every seventh), its gold and argmax where PyTorch puts them.
    await page.selectOption('[data-testid="lm-eval-document-pick"]', String(worstCount + 7));
    await page.waitForSelector('[data-testid="lm-eval-document"][data-doc-id="7"]');
    assertDocument(await shownChoices(page), want.perDocument[7]!);
    const record = await pageRecord(page);
    assert.deepEqual(record.errors, []);
    assert.deepEqual(record.violations, []);
    await page.close();
  });

  for (const width of [500, 1600])
    for (const theme of ['light', 'dark'] as const)
      it(`lays the document view out at ${width} px (${theme}) without running off the page`, async () => {
        const page = await panel(theme, width);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `the page is ${overflow} px too wide`);
        const section = page.locator('section.lm-eval');
        await section.scrollIntoViewIfNeeded();
        await section.screenshot({ path: join(ARTIFACTS, `webview-lm-eval-${theme}-${width}.png`) });
        assert.deepEqual((await pageRecord(page)).errors, []);
        await page.close();
      });
});
