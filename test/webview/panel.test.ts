import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { analyzeSource } from '../../src/analysis/sources/analyzeSource';
import type { Analysis, HostMessage } from '../../src/protocol/webview';
import type { ClassificationAnalysis } from '../../src/analysis/results';
import { fixturePath, readJson, REPO_ROOT, classification } from '../helpers/fixtures';
import { launchChromium, openPanel, pageRecord, postToPanel, startPanelServer } from './harness';
import type { ThemeName } from './themes';

const ARTIFACTS = join(REPO_ROOT, 'test-results');
const expected = readJson<Record<string, { crossEntropy: number; logLikelihood: number }>>(fixturePath('classifier', 'expected.json'));
const uncertainty = readJson<{ basicCsv: { crossEntropyStdError: number; accuracyStdError: number } }>(fixturePath('uncertainty', 'expected.json'));

function analysisMessage(analysis: Analysis, version = 1): HostMessage {
  return { type: 'analysis', version, fileUri: 'file:///workspace/basic.csv', analysis, options: {} };
}

describe('loss panel webview in headless Chromium', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startPanelServer>>;
  let analysis: ClassificationAnalysis;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    [browser, server, analysis] = await Promise.all([
      launchChromium(),
      startPanelServer(),
      analyzeSource({ kind: 'path', path: fixturePath('classifier', 'basic.csv') }).then(classification),
    ]);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function renderedPanel(theme: ThemeName, width?: number): Promise<Page> {
    const page = await openPanel(browser, server.origin, theme, width);
    await postToPanel(page, analysisMessage(analysis));
    await page.waitForSelector('[data-testid="cross-entropy"]');
    await page.evaluate(() => document.fonts.ready);
    return page;
  }

  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    it(`renders the derivation, numbers and plots under the real CSP (${theme} theme)`, async () => {
      const page = await renderedPanel(theme);
      const shown = await page.$eval('[data-testid="cross-entropy"]', (el) => ({ value: Number(el.getAttribute('data-value')), text: el.textContent }));
      assert.equal(shown.value, analysis.summary.crossEntropy);
      assert.ok(Math.abs(shown.value - expected['basic.csv']!.crossEntropy) < 1e-12);
      assert.match(shown.text ?? '', /^0\.\d{8} nats per row$/);
      // Under the value, its standard error and 95% interval, the method in the tooltip.
      const bar = await page.$eval('[data-testid="cross-entropy-error"]', (el) => ({
        text: el.textContent ?? '',
        title: el.getAttribute('title') ?? '',
        se: Number(el.getAttribute('data-standard-error')),
      }));
      assert.ok(Math.abs(bar.se - uncertainty.basicCsv.crossEntropyStdError) < 1e-12, `${bar.se}`);
      assert.match(bar.text, /^\u00b1 0\.042 \u00b7 95% 0\.\d+ to 0\.\d+$/);
      assert.match(bar.title, /std of per-row losses \(ddof 1\) \/ \u221an/);
      const accuracyBar = await page.$eval('[data-testid="accuracy-error"]', (el) => ({
        text: el.textContent ?? '',
        se: Number(el.getAttribute('data-standard-error')),
      }));
      assert.ok(Math.abs(accuracyBar.se - uncertainty.basicCsv.accuracyStdError) < 1e-12, `${accuracyBar.se}`);
      assert.match(accuracyBar.text, /^\u00b1 3(\.0)?% \u00b7 95% \d+(\.\d+)?% to \d+(\.\d+)?%$/);
      assert.match((await page.textContent('[data-testid="ece-error"]')) ?? '', /^95% 0\.\d+ to 0\.\d+$/);
      assert.match((await page.getAttribute('[data-testid="ece-error"]', 'title')) ?? '', /Poisson\(1\) bootstrap/);
      assert.equal(Number(await page.getAttribute('[data-testid="ece-noise-floor"]', 'data-value')), analysis.summary.calibrationNoiseFloor.value);

      // Every step rendered by KaTeX (HTML and MathML), each carrying its LaTeX source.
      const steps = await page.$$eval('[data-testid="derivation-step"]', (items) =>
        items.map((item) => ({
          katex: item.querySelectorAll('.katex').length,
          tex: item.querySelector('annotation[encoding="application/x-tex"]')?.textContent ?? '',
        })),
      );
      const allSteps = analysis.derivations.flatMap((derivation) => derivation.steps);
      assert.equal(steps.length, allSteps.length);
      assert.equal(await page.locator('section.derivation').count(), analysis.derivations.length);
      for (const step of steps) assert.ok(step.katex >= 1);
      assert.ok(
        steps.some((step) => step.tex.includes(expected['basic.csv']!.logLikelihood.toPrecision(10).replace(/0+$/, ''))),
        'the log-likelihood appears in a step',
      );
      assert.equal(await page.locator('.katex-error').count(), 0, 'no KaTeX parse errors');

      const checks = await page.$$eval('[data-testid="identity-check"]', (items) => items.map((item) => item.getAttribute('data-holds')));
      assert.deepEqual(
        checks,
        allSteps.filter((step) => step.check).map(() => 'true'),
      );
      assert.ok(checks.length >= 4);
      // Steps that only write a number again say so, and are not shown as checks.
      assert.equal(await page.locator('[data-testid="restatement"]').count(), allSteps.filter((step) => step.restatement).length);
      assert.ok(allSteps.some((step) => step.restatement));

      // KaTeX's bundled fonts loaded from the extension, not from the network.
      assert.equal(await page.evaluate(() => document.fonts.check('16px KaTeX_Main')), true);

      // Every plot drawn: each canvas has non-background pixels.
      const inked = await page.$$eval('.plot canvas', (canvases) =>
        (canvases as HTMLCanvasElement[]).map((canvas) => {
          const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          let count = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) count++;
          return count;
        }),
      );
      // Two parameter curves (temperature, label fit), per-sample, running mean, histogram, reliability.
      assert.equal(inked.length, analysis.plots.parameterCurves.length + 4);
      assert.equal(analysis.plots.parameterCurves.length, 2);
      for (const count of inked) assert.ok(count > 500, `canvas has ink (${count})`);

      const record = await pageRecord(page);
      assert.deepEqual(record.violations, [], 'no CSP violations');
      assert.deepEqual(record.errors, [], 'no page errors');
      assert.deepEqual(record.posted.at(-1), { type: 'rendered', version: 1, headline: analysis.summary.crossEntropy, steps: steps.length });
      assert.deepEqual(record.state, { fileUri: 'file:///workspace/basic.csv', options: {} });

      await page.screenshot({ path: join(ARTIFACTS, `webview-${theme}.png`), fullPage: true });
      await page.close();
    });
  }

  for (const width of [500, 700, 1600])
    for (const theme of ['light', 'dark', 'high-contrast'] as const)
      it(`lays out at ${width} px (${theme}): equations break at "=", nothing runs off the page`, async () => {
        const page = await renderedPanel(theme, width);
        const layout = await page.evaluate(() => ({
          page: document.documentElement.scrollWidth - window.innerWidth,
          equations: [...document.querySelectorAll<HTMLElement>('details[open] .equation-box')].map((box) => ({
            overflow: box.scrollWidth - box.clientWidth,
            // A part that starts left of the one before it has wrapped onto a new line.
            lines: [...box.querySelectorAll('.equation-part')]
              .map((part) => part.getBoundingClientRect().left)
              .reduce((lines, left, index, lefts) => (index > 0 && left < lefts[index - 1]! ? lines + 1 : lines), 1),
          })),
          plots: [...document.querySelectorAll<HTMLElement>('.plot')].map((plot) => plot.scrollWidth - plot.clientWidth),
        }));
        assert.ok(layout.page <= 0, `the page is ${layout.page} px too wide`);
        assert.ok(layout.equations.length >= 7);
        for (const [index, equation] of layout.equations.entries())
          assert.ok(equation.overflow <= 1, `equation ${index + 1} overflows by ${equation.overflow} px`);
        const broken = layout.equations.filter((equation) => equation.lines > 1).length;
        if (width === 500) assert.ok(broken >= 2, `${broken} equations wrap at 500 px`);
        if (width === 1600) assert.equal(broken, 0, 'nothing wraps when there is room');
        for (const overflow of layout.plots) assert.ok(overflow <= 1, `a plot overflows by ${overflow} px`);
        await page.screenshot({ path: join(ARTIFACTS, `webview-${width}px-${theme}.png`), fullPage: true });
        assert.deepEqual((await pageRecord(page)).errors, []);
        await page.close();
      });

  it('takes its colours from the theme', async () => {
    const colour = async (theme: ThemeName) => {
      const page = await renderedPanel(theme);
      const value = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await page.close();
      return value;
    };
    assert.equal(await colour('light'), 'rgb(255, 255, 255)');
    assert.equal(await colour('dark'), 'rgb(31, 31, 31)');
  });

  it('sends role changes from the toolkit controls to the host', async () => {
    const page = await renderedPanel('dark');
    assert.equal(await page.locator('vscode-dropdown#kind').count(), 1);
    await page.evaluate(() => {
      const dropdown = document.querySelector('vscode-dropdown#kind') as HTMLElement & { value: string };
      dropdown.value = 'logits';
      dropdown.dispatchEvent(new Event('change'));
    });
    const checkbox = page.locator('vscode-checkbox[data-column="p3"]');
    await checkbox.click();
    const posted = (await pageRecord(page)).posted.filter((m) => (m as { type: string }).type === 'setOptions');
    assert.deepEqual(posted, [
      { type: 'setOptions', options: { kind: 'logits' } },
      { type: 'setOptions', options: { target: 'label', predictions: ['p0', 'p1', 'p2'] } },
    ]);
    await page.close();
  });

  it('asks the host to reveal a worst row when it is clicked', async () => {
    const page = await renderedPanel('light');
    const worst = analysis.plots.worstRows[0]!;
    await page.locator(`button[data-line="${worst.line}"]`).click();
    assert.deepEqual((await pageRecord(page)).posted.at(-1), { type: 'revealRow', line: worst.line });
    await page.close();
  });

  it('asks the host to copy a step, the Markdown and the snippet, and to save a plot as PNG', async () => {
    const page = await renderedPanel('light');
    await page.locator('[data-testid="copy-step"]').first().click();
    await page.locator('[data-testid="copy-markdown"]').click();
    await page.locator('[data-testid="copy-python"]').click();
    await page.locator('[data-testid="plot-histogram"] [data-testid="save-plot"]').click();
    const posted = (await pageRecord(page)).posted as { type: string; [key: string]: unknown }[];
    const copies = posted.filter((m) => m.type === 'copy');
    assert.deepEqual(copies, [
      { type: 'copy', what: 'step-latex', stepId: analysis.derivations[0]!.steps[0]!.id },
      { type: 'copy', what: 'markdown' },
      { type: 'copy', what: 'python' },
    ]);
    const save = posted.find((m) => m.type === 'savePlot')!;
    assert.equal(save.name, 'likelihood-lens-histogram');
    const png = Buffer.from(String(save.pngDataUrl).replace('data:image/png;base64,', ''), 'base64');
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG');
    assert.ok(png.length > 2000);
    await page.close();
  });

  it('can be driven from the keyboard: Tab reaches the controls and the copy buttons', async () => {
    const page = await renderedPanel('dark');
    const reached = new Set<string>();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      reached.add(await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName.toLowerCase() ?? ''));
    }
    for (const expected of ['vscode-dropdown', 'copy-markdown', 'copy-python', 'copy-step'])
      assert.ok(reached.has(expected), `Tab reaches ${expected} (${[...reached].join(', ')})`);
    await page.close();
  });

  it('shows file and column names as text, never as markup', async () => {
    const page = await openPanel(browser, server.origin, 'light');
    const hostile = '<img src=x onerror="window.__pwned=1">';
    const tampered: Analysis = {
      ...analysis,
      file: { ...analysis.file, name: hostile },
      warnings: [hostile],
      roles: { ...analysis.roles, columns: [...analysis.roles.columns, hostile] },
    };
    await postToPanel(page, analysisMessage(tampered));
    await page.waitForSelector('[data-testid="cross-entropy"]');
    assert.equal(await page.locator('h1').textContent(), hostile);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    await page.close();
  });

  it('ignores malformed messages and shows errors from the host', async () => {
    const page = await openPanel(browser, server.origin, 'light');
    for (const junk of [null, 42, { type: 'analysis' }, { type: 'nope' }, { type: 'error' }]) await postToPanel(page, junk);
    assert.match((await page.locator('.status').textContent()) ?? '', /Reading the file/);
    await postToPanel(page, { type: 'error', message: 'basic.csv: line 3: expected 5 fields, found 4' });
    assert.equal(await page.locator('[data-testid="error"]').textContent(), 'basic.csv: line 3: expected 5 fields, found 4');
    assert.deepEqual((await pageRecord(page)).errors, []);
    await page.close();
  });

  it('keeps the controls and the last good numbers, greyed, under the error of a choice that fails, until it is undone', async () => {
    const path = join(REPO_ROOT, 'media', 'samples', 'classifier.csv');
    const good = classification(await analyzeSource({ kind: 'path', path }));
    const unticked = { target: 'label', predictions: ['p0', 'p1'] };
    const failed = await analyzeSource({ kind: 'path', path }, unticked).then(
      () => assert.fail('label 2 has no column once p2 is unticked'),
      (error: unknown) => String((error as Error).message),
    );
    assert.match(failed, /^classifier\.csv: line 5: /);
    const page = await openPanel(browser, server.origin, 'light');
    await postToPanel(page, analysisMessage(good));
    await page.waitForSelector('[data-testid="cross-entropy"]');
    const setOptions = async () => ((await pageRecord(page)).posted as { type: string }[]).filter((m) => m.type === 'setOptions');
    await page.locator('vscode-checkbox[data-column="p2"]').click();
    assert.deepEqual((await setOptions()).at(-1), { type: 'setOptions', options: unticked });

    await postToPanel(page, { type: 'error', message: failed, options: unticked });
    await page.waitForSelector('[data-testid="error"]');
    assert.equal(await page.locator('[data-testid="error"]').textContent(), failed);
    const card = await page.$eval('[data-testid="cross-entropy"]', (el) => ({
      value: Number(el.getAttribute('data-value')),
      opacity: Number(getComputedStyle(el.closest('.summary')!).opacity),
    }));
    assert.equal(card.value, good.summary.crossEntropy, 'the last good cross-entropy stays');
    assert.ok(card.opacity < 1, 'greyed');
    const roles = page.locator('section.controls[aria-label="Roles"]');
    assert.equal(await roles.evaluate((el) => getComputedStyle(el).opacity), '1', 'the controls are not greyed');
    assert.equal(await page.locator('vscode-checkbox[data-column="p2"]').evaluate((el) => (el as HTMLElement & { checked: boolean }).checked), false);
    await page.screenshot({ path: join(ARTIFACTS, 'webview-error-light.png'), fullPage: true });

    // Ticking p2 back asks for the roles that worked; the reset button for the detected ones.
    await page.locator('vscode-checkbox[data-column="p2"]').click();
    assert.deepEqual((await setOptions()).at(-1), { type: 'setOptions', options: { target: 'label', predictions: ['p0', 'p1', 'p2'] } });
    await page.locator('[data-testid="reset-options"]').click();
    assert.deepEqual((await setOptions()).at(-1), { type: 'setOptions', options: {} });

    await postToPanel(page, analysisMessage(good, 2));
    await page.waitForFunction(() => !document.querySelector('[data-testid="error"]'));
    assert.equal(await page.$eval('.summary', (el) => getComputedStyle(el).opacity), '1');
    assert.deepEqual((await pageRecord(page)).posted.at(-1), {
      type: 'rendered',
      version: 2,
      headline: good.summary.crossEntropy,
      steps: good.derivations.reduce((n, d) => n + d.steps.length, 0),
    });
    assert.deepEqual((await pageRecord(page)).errors, []);
    await page.close();
  });

  it('greys the last good numbers while a cell of the file does not parse, and names the line', async () => {
    const text = readFileSync(join(REPO_ROOT, 'media', 'samples', 'classifier.csv'), 'utf8');
    const good = classification(await analyzeSource({ kind: 'bytes', name: 'classifier.csv', bytes: new TextEncoder().encode(text) }));
    const typed = text.replace(/\n1,0\.030988,/, '\n1,abc,');
    const failed = await analyzeSource({ kind: 'bytes', name: 'classifier.csv', bytes: new TextEncoder().encode(typed) }).then(
      () => assert.fail('abc is not a number'),
      (error: unknown) => String((error as Error).message),
    );
    assert.match(failed, /^classifier\.csv: line 2\b/);
    const page = await openPanel(browser, server.origin, 'dark');
    await postToPanel(page, analysisMessage(good));
    await page.waitForSelector('[data-testid="cross-entropy"]');
    await postToPanel(page, { type: 'error', message: failed, options: {} });
    await page.waitForSelector('[data-testid="error"]');
    assert.equal(await page.locator('[data-testid="error"]').textContent(), failed);
    assert.equal(Number(await page.getAttribute('[data-testid="cross-entropy"]', 'data-value')), good.summary.crossEntropy);
    assert.equal(await page.locator('vscode-dropdown#task').count(), 1, 'the controls stay');
    await postToPanel(page, analysisMessage(good, 2));
    await page.waitForFunction(() => !document.querySelector('[data-testid="error"]') && !document.getElementById('app')!.classList.contains('stale'));
    await page.close();
  });

  it('says the unit and the reduction on every loss: cards, slider, axis titles, worst rows', async () => {
    const page = await renderedPanel('light');
    const pick = (id: string, value: string) =>
      page.evaluate(
        ({ id, value }) => {
          const dropdown = document.querySelector(`vscode-dropdown#${id}`) as HTMLElement & { value: string };
          dropdown.value = value;
          dropdown.dispatchEvent(new Event('change'));
        },
        { id, value },
      );
    await pick('unit', 'bits');
    await pick('reduction', 'sum');
    const text = (selector: string) => page.$eval(selector, (el) => el.textContent ?? '');
    const summed = await page.$eval('[data-testid="cross-entropy"]', (el) => ({ value: Number(el.getAttribute('data-value')), text: el.textContent ?? '' }));
    assert.ok(Math.abs(summed.value / -expected['basic.csv']!.logLikelihood - 1) < 1e-12, 'the sum is -log L');
    assert.equal(summed.text, `${Number((-expected['basic.csv']!.logLikelihood / Math.LN2).toPrecision(8))} bits, summed`);
    // A sum over rows shows no error bar: it would be n times the mean's and say nothing more.
    assert.equal(await page.locator('[data-testid="cross-entropy-error"]').count(), 0);
    assert.match(await text('[data-testid="log-likelihood"]'), / bits, summed$/);
    assert.match(await text('[data-testid="temperature-output"]'), /cross-entropy [\d.]+ bits per row \(/);
    assert.match(await text('section.worst h2'), /bits per row/);
    assert.match(await text('section.worst li'), /loss [\d.]+ bits per row$/);
    const axisTitles = await page.$$eval('.plot', (plots) => plots.flatMap((plot) => JSON.parse(plot.getAttribute('data-axis-titles') ?? '[]') as string[]));
    for (const title of ['loss (bits per row)', 'mean loss (bits per row)', 'NLL (bits per row)', 'log L (bits, summed)'])
      assert.ok(axisTitles.includes(title), `${title} in ${axisTitles.join(' | ')}`);
    assert.equal(axisTitles.filter((title) => /\b(nats|bits|digits)\)/.test(title)).length, 0, 'no axis says a unit without its reduction');
    await page.close();
  });

  it('hands the unit and reduction to the host to keep for the file, and opens again with the ones kept', async () => {
    const page = await renderedPanel('light');
    for (const [id, value] of [
      ['unit', 'digits'],
      ['reduction', 'sum'],
    ])
      await page.evaluate(
        ({ id, value }) => {
          const dropdown = document.querySelector(`vscode-dropdown#${id}`) as HTMLElement & { value: string };
          dropdown.value = value;
          dropdown.dispatchEvent(new Event('change'));
        },
        { id: id!, value: value! },
      );
    const kept = ((await pageRecord(page)).posted as { type: string }[]).filter((m) => m.type === 'view');
    assert.deepEqual(kept.at(-1), { type: 'view', view: { unit: 'digits', reduction: 'sum' } });
    await page.close();

    const reopened = await openPanel(browser, server.origin, 'light', 1100, '/reopened');
    await postToPanel(reopened, analysisMessage(analysis));
    await reopened.waitForSelector('[data-testid="cross-entropy"]');
    const card = await reopened.$eval('[data-testid="cross-entropy"]', (el) => ({ value: Number(el.getAttribute('data-value')), text: el.textContent ?? '' }));
    assert.ok(Math.abs(card.value / -expected['basic.csv']!.logLikelihood - 1) < 1e-12, 'summed');
    assert.equal(card.text, `${Number((-expected['basic.csv']!.logLikelihood / Math.LN2).toPrecision(8))} bits, summed`);
    await reopened.close();
  });

  it('keeps its state (file and chosen options) across a reload', async () => {
    const page = await renderedPanel('light');
    await page.evaluate(() => {
      const dropdown = document.querySelector('vscode-dropdown#kind') as HTMLElement & { value: string };
      dropdown.value = 'logprobs';
      dropdown.dispatchEvent(new Event('change'));
    });
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __record: { posted: unknown[] } }).__record.posted.length > 0);
    const record = await pageRecord(page);
    assert.deepEqual(record.posted, [{ type: 'ready' }]);
    assert.deepEqual(record.state, { fileUri: 'file:///workspace/basic.csv', options: { kind: 'logprobs' } });
    await page.close();
  });
});

describe('tasks beyond classification in the panel, with sliders that redraw without the host', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startPanelServer>>;
  const engine = readJson<any>(fixturePath('engine', 'expected.json'));

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    [browser, server] = await Promise.all([launchChromium(), startPanelServer()]);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function panelFor(analysis: Analysis, theme: ThemeName): Promise<Page> {
    const page = await openPanel(browser, server.origin, theme);
    await postToPanel(page, analysisMessage(analysis));
    await page.waitForSelector('[data-testid="derivation-step"]');
    await page.evaluate(() => document.fonts.ready);
    return page;
  }

  const output = (page: Page, id: string) =>
    page.$eval(`[data-testid="${id}-output"]`, (el) => ({
      value: Number(el.getAttribute('data-value')),
      parameter: Number(el.getAttribute(`data-${el.getAttribute('for')}`)),
      text: el.textContent ?? '',
    }));

  it('regression: the sigma slider shows the Gaussian NLL at each sigma, from the sufficient statistics', async () => {
    const reg = engine.regression;
    const analysis = await analyzeSource({ kind: 'path', path: fixturePath('engine', 'regression.csv') }, { sigma: reg.sigma });
    assert.equal(analysis.task, 'regression');
    const page = await panelFor(analysis, 'light');
    const start = await output(page, 'sigma');
    assert.ok(Math.abs(start.parameter / reg.sigma - 1) < 0.02, `starts near sigma = ${reg.sigma}`);
    await page.focus('[data-testid="sigma-slider"]');
    for (let i = 0; i < 15; i++) await page.keyboard.press('ArrowRight');
    const moved = await output(page, 'sigma');
    assert.ok(moved.parameter > start.parameter, 'the keyboard moves sigma');
    // -log L at sigma over n rows of k outputs, with the SSE PyTorch's F.mse_loss(reduction='sum') gives.
    const n = analysis.summary.n;
    const k = 3;
    const nll = (sigma: number) => (n * k * (0.5 * Math.log(2 * Math.PI) + Math.log(sigma)) + reg.mseLossSum / (2 * sigma * sigma)) / n;
    assert.ok(Math.abs(moved.value / nll(moved.parameter) - 1) < 1e-9, `${moved.value} vs ${nll(moved.parameter)}`);
    assert.ok(Math.abs((nll(reg.sigma) * n) / reg.gaussianNllSum - 1) < 1e-9, 'the closed form agrees with scipy.stats.norm at the fixed sigma');
    assert.match(moved.text, /NLL .* per row, log-likelihood/);
    // The slider's place survives a reload (the host sends the analysis again when the page is ready).
    await page.reload();
    await postToPanel(page, analysisMessage(analysis));
    await page.waitForSelector('[data-testid="sigma-slider"]');
    assert.equal((await output(page, 'sigma')).parameter, moved.parameter);
    await page.screenshot({ path: join(ARTIFACTS, 'webview-regression-light.png'), fullPage: true });
    assert.deepEqual((await pageRecord(page)).errors, []);
    await page.close();
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    it(`soft targets: H(p,q) split into H(p) and KL in a stacked bar (${theme} theme)`, async () => {
      const soft = engine.soft;
      const analysis = await analyzeSource({ kind: 'path', path: fixturePath('engine', 'soft.csv') });
      assert.equal(analysis.task, 'soft');
      const page = await panelFor(analysis, theme);
      const segment = (id: string) =>
        page.$eval(`[data-testid="${id}"]`, (el) => ({
          value: Number(el.getAttribute('data-value')),
          width: (el as HTMLElement).getBoundingClientRect().width,
        }));
      const [entropy, kl] = await Promise.all([segment('split-entropy'), segment('split-kl')]);
      assert.ok(Math.abs(entropy.value / soft.entropyMean - 1) < 1e-9, 'H(p) as scipy.stats.entropy');
      assert.ok(Math.abs(kl.value / soft.klBatchmean - 1) < 1e-9, "KL as F.kl_div(..., 'batchmean')");
      assert.ok(entropy.width > 0 && kl.width > 0);
      // Class by class: -p_c log p_c and p_c log(p_c / q_c), as scipy.special.entr and rel_entr give them.
      assert.equal(await page.locator('[data-testid="split-class"]').count(), soft.k);
      for (let c = 0; c < soft.k; c++) {
        const [h, d] = await Promise.all([segment(`split-class-${c}-entropy`), segment(`split-class-${c}-kl`)]);
        assert.ok(Math.abs(h.value / soft.entropyByClass[c] - 1) < 1e-9 && Math.abs(d.value / soft.klByClass[c] - 1) < 1e-9, `class ${c}`);
      }
      const checks = await page.$$eval('[data-testid="identity-check"]', (items) => items.map((item) => item.getAttribute('data-holds')));
      assert.ok(checks.length >= 1 && checks.every((holds) => holds === 'true'), 'H(p,q) = H(p) + KL checked');
      await page.screenshot({ path: join(ARTIFACTS, `webview-soft-${theme}.png`), fullPage: true });
      assert.deepEqual((await pageRecord(page)).errors, []);
      await page.close();
    });
  }

  it('classification: the temperature slider starts at T = 1 on the cross-entropy and moves along the fitted curve', async () => {
    const analysis = classification(await analyzeSource({ kind: 'path', path: fixturePath('classifier', 'basic.csv') }));
    const page = await panelFor(analysis, 'dark');
    const start = await output(page, 'temperature');
    assert.ok(Math.abs(start.parameter - 1) < 1e-9);
    assert.ok(Math.abs(start.value / analysis.summary.crossEntropy - 1) < 1e-12, `${start.value} vs ${analysis.summary.crossEntropy}`);
    await page.focus('[data-testid="temperature-slider"]');
    await page.keyboard.press('End');
    const end = await output(page, 'temperature');
    const curve = analysis.plots.parameterCurves.find((c) => c.id === 'temperature')!;
    assert.ok(Math.abs(end.parameter / curve.x.at(-1)! - 1) < 1e-9);
    assert.equal(end.value, curve.averageNll.at(-1));
    await page.close();
  });

  it('classification: the card and the slider name the one fitted temperature, as scipy.optimize.brentq finds it', async () => {
    const temp = engine.temperature;
    const analysis = classification(await analyzeSource({ kind: 'path', path: fixturePath('engine', temp.file) }));
    const page = await panelFor(analysis, 'light');
    const card = await page.$eval('[data-testid="temperature"]', (el) => ({ value: Number(el.getAttribute('data-value')), text: el.textContent ?? '' }));
    assert.ok(Math.abs(card.value / temp.temperatureBrentq - 1) < 1e-9, `${card.value} vs ${temp.temperatureBrentq}`);
    const slider = await page.$eval('[data-testid="temperature-output"]', (el) => ({ best: Number(el.getAttribute('data-best')), text: el.textContent ?? '' }));
    assert.equal(slider.best, card.value);
    const shown = `T = ${Number(temp.temperatureBrentq.toPrecision(4))}`;
    assert.equal(card.text, shown);
    assert.ok(slider.text.endsWith(`(smallest at ${shown})`), slider.text);
    await page.close();
  });

  it('classification: a temperature fit stopped at the edge of its range says so on the card and the slider', async () => {
    // Every row right: a smaller T always sharpens the right class, so the fit runs into its lower bound.
    const analysis = classification(
      await analyzeSource({ kind: 'bytes', name: 'sure.csv', bytes: new TextEncoder().encode('label,p0,p1\n0,0.9,0.1\n1,0.2,0.8\n1,0.4,0.6\n') }),
    );
    const fit = analysis.summary.temperature!;
    assert.equal(fit.atBoundary, true);
    const page = await panelFor(analysis, 'light');
    const bound = `at the bound (T \u2264 ${Number(fit.value.toPrecision(4))})`;
    assert.equal(await page.textContent('[data-testid="temperature"]'), bound);
    assert.ok(((await page.textContent('[data-testid="temperature-output"]')) ?? '').endsWith(`(smallest ${bound})`));
    await page.close();
  });

  it('asks the host for another task, and shows every loss in bits or digits without asking it', async () => {
    const reg = engine.regression;
    const analysis = await analyzeSource({ kind: 'path', path: fixturePath('engine', 'regression.csv') }, { sigma: reg.sigma });
    assert.equal(analysis.task, 'regression');
    const page = await panelFor(analysis, 'light');
    const pick = (id: string, value: string) =>
      page.evaluate(
        ({ id, value }) => {
          const dropdown = document.querySelector(`vscode-dropdown#${id}`) as HTMLElement & { value: string };
          dropdown.value = value;
          dropdown.dispatchEvent(new Event('change'));
        },
        { id, value },
      );
    await pick('unit', 'bits');
    const card = await page.$eval('[data-testid="cross-entropy"]', (el) => el.textContent ?? '');
    const perRow = reg.gaussianNllSum / analysis.summary.n;
    assert.equal(card, `${(perRow / Math.LN2).toPrecision(8).replace(/0+$/, '')} bits per row`);
    await pick('reduction', 'sum');
    const summed = await page.$eval('[data-testid="cross-entropy"]', (el) => Number(el.getAttribute('data-value')));
    assert.ok(Math.abs(summed / reg.gaussianNllSum - 1) < 1e-9, 'the sum over rows is -log L, as scipy.stats.norm gives it');
    await pick('task', 'fit');
    const posted = (await pageRecord(page)).posted as { type: string; options?: unknown }[];
    assert.deepEqual(posted.filter((message) => message.type === 'setOptions').at(-1), { type: 'setOptions', options: { task: 'fit' } });
    await page.close();
  });

  for (const theme of ['dark', 'high-contrast'] as const) {
    it(`regression: cards, sigma slider and derivation (${theme} theme)`, async () => {
      const reg = engine.regression;
      const analysis = await analyzeSource({ kind: 'path', path: fixturePath('engine', 'regression.csv') }, { sigma: reg.sigma });
      const page = await panelFor(analysis, theme);
      const nll = await page.$eval('[data-testid="cross-entropy"]', (el) => Number(el.getAttribute('data-value')));
      assert.ok(Math.abs((nll * analysis.summary.n) / reg.gaussianNllSum - 1) < 1e-9, 'Gaussian NLL as scipy.stats.norm');
      assert.equal(await page.locator('[data-testid="sigma-slider"]').count(), 1);
      await page.screenshot({ path: join(ARTIFACTS, `webview-regression-${theme}.png`), fullPage: true });
      assert.deepEqual((await pageRecord(page)).errors, []);
      await page.close();
    });
  }

  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    it(`fit: a Gaussian of one column, its estimates as scipy.stats.norm.fit and its log-likelihood curve (${theme} theme)`, async () => {
      const fits = engine.fits;
      const analysis = await analyzeSource({ kind: 'path', path: fixturePath('engine', 'fits.csv') }, { task: 'fit', target: 'gauss', dist: 'gaussian' });
      assert.equal(analysis.task, 'fit');
      const page = await panelFor(analysis, theme);
      const value = (id: string) => page.$eval(`[data-testid="${id}"]`, (el) => Number(el.getAttribute('data-value')));
      assert.ok(Math.abs((await value('estimate-mu')) / fits.gaussian.mu - 1) < 1e-9, 'mu');
      assert.ok(Math.abs((await value('estimate-sigma')) / fits.gaussian.sigma - 1) < 1e-9, 'sigma');
      assert.ok(Math.abs((await value('log-likelihood')) / fits.gaussian.logLikelihood - 1) < 1e-9, 'log-likelihood');
      assert.ok((await page.locator('.plot canvas').count()) >= 1, 'the log-likelihood curve is drawn');
      assert.ok((await page.locator('[data-testid="derivation-step"]').count()) >= 3, 'the unconditional MLE derivation');
      await page.screenshot({ path: join(ARTIFACTS, `webview-fit-${theme}.png`), fullPage: true });
      assert.deepEqual((await pageRecord(page)).errors, []);
      await page.close();
    });
  }

  it('binary: the header and the loss card say binary cross-entropy', async () => {
    const analysis = await analyzeSource({ kind: 'path', path: fixturePath('classifier', 'binary.csv') });
    assert.equal(analysis.task, 'binary');
    const page = await panelFor(analysis, 'light');
    assert.match((await page.textContent('.subtitle')) ?? '', /binary cross-entropy/);
    assert.doesNotMatch((await page.textContent('.subtitle')) ?? '', /categorical/);
    assert.equal(
      await page.$eval('[data-testid="cross-entropy"]', (el) => el.parentElement!.querySelector('.card-label')!.textContent),
      'Binary cross-entropy',
    );
    assert.match((await page.textContent('section.derivation h2')) ?? '', /binary cross-entropy/);
    await page.close();
  });

  it('the per-class table: a row per class with its standard errors, sorted by a column when its header is clicked', async () => {
    const overconfident = classification(await analyzeSource({ kind: 'path', path: fixturePath('uncertainty', 'overconfident.csv') }));
    const page = await panelFor(overconfident, 'light');
    const classes = overconfident.byClass!.classes;
    const order = () => page.$$eval('[data-testid="class-row"]', (rows) => rows.map((row) => Number(row.getAttribute('data-class'))));
    assert.deepEqual(await order(), [0, 1, 2]);
    const first = await page.$eval('[data-testid="class-row"] td:nth-child(3)', (el) => ({
      text: el.textContent ?? '',
      value: Number(el.getAttribute('data-value')),
    }));
    assert.equal(first.value, classes[0]!.crossEntropy);
    assert.match(first.text, /^\d\.\d+ \u00b1 0\.\d+$/);
    await page.click('button[data-sort="crossEntropy"]');
    const byLoss = [...classes].sort((a, b) => b.crossEntropy - a.crossEntropy).map((row) => row.label);
    assert.deepEqual(await order(), byLoss);
    await page.click('button[data-sort="crossEntropy"]');
    assert.deepEqual(await order(), [...byLoss].reverse());
    assert.deepEqual((await pageRecord(page)).errors, []);
    await page.close();
  });

  it('no labels: the mean entropy of the predictions', async () => {
    const analysis = await analyzeSource({ kind: 'bytes', name: 'probs.csv', bytes: new TextEncoder().encode('p0,p1\n0.5,0.5\n0.9,0.1\n') });
    assert.equal(analysis.task, 'entropy');
    const page = await panelFor(analysis, 'light');
    const shown = Number(await page.getAttribute('[data-testid="entropy"]', 'data-value'));
    assert.ok(Math.abs(shown - (Math.LN2 + -(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1))) / 2) < 1e-15);
    await page.close();
  });
});
