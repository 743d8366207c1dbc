import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { HostMessage } from '../../src/protocol/webview';
import type { LanguageModelAnalysis } from '../../src/analysis/results';
import { REPO_ROOT } from '../helpers/fixtures';
import { launchChromium, openPanel, pageRecord, postToPanel, startPanelServer } from './harness';
import { alternativesAt, lmAnalysis, lmCase, lmExpected, lmLabels, tokenViewOf } from './lmAnalysis';
import type { ThemeName } from './themes';

const ARTIFACTS = join(REPO_ROOT, 'test-results');
const VERSION = 3;
const close = (a: number, b: number, tolerance = 1e-12) => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b));

type Posted = { type: string; [key: string]: unknown };

describe('a language model in the loss panel, in headless Chromium', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startPanelServer>>;
  let labels: ArrayLike<number>;
  let analysis: LanguageModelAnalysis;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    [browser, server, labels] = await Promise.all([launchChromium(), startPanelServer(), lmLabels()]);
    analysis = lmAnalysis(labels);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const message = (version = VERSION): HostMessage => ({ type: 'analysis', version, fileUri: 'file:///workspace/causal_float32.pt', analysis, options: {} });

  async function panel(theme: ThemeName, width = 1100): Promise<Page> {
    const page = await openPanel(browser, server.origin, theme, width);
    await postToPanel(page, message());
    await page.waitForSelector('[data-testid="token"]');
    await page.evaluate(() => document.fonts.ready);
    return page;
  }

  const posted = async (page: Page, type: string) => ((await pageRecord(page)).posted as Posted[]).filter((m) => m.type === type);
  const waitPosted = (page: Page, type: string, count: number) =>
    page.waitForFunction(
      ({ type, count }) => (window as unknown as { __record: { posted: { type: string }[] } }).__record.posted.filter((m) => m.type === type).length >= count,
      { type, count },
    );

  it('shows every figure with its unit and its definition beside it, and the alignment and tokenizer in words', async () => {
    const page = await panel('light');
    const card = (id: string) =>
      page.$eval(`[data-testid="${id}"]`, (el) => ({
        value: Number(el.getAttribute('data-value')),
        text: el.textContent ?? '',
        definition: el.parentElement?.querySelector('.card-definition')?.textContent ?? '',
      }));
    const ce = await card('cross-entropy');
    assert.equal(ce.value, lmCase.crossEntropy);
    assert.equal(ce.text, `${lmCase.crossEntropy.toPrecision(8)} nats per token`);
    assert.equal(ce.definition, analysis.summary.definitions.crossEntropy);
    // Per token, and with the sequences as clusters (tokens of one sequence are correlated).
    const errorOf = (id: string) =>
      page.$eval(`[data-testid="${id}"]`, (el) => ({
        text: el.textContent ?? '',
        title: el.getAttribute('title') ?? '',
        se: Number(el.getAttribute('data-standard-error')),
      }));
    const perToken = await errorOf('cross-entropy-error');
    assert.equal(perToken.se, analysis.summary.crossEntropyStdError);
    assert.match(perToken.text, /^\u00b1 0\.\d+ \u00b7 95% \d\.\d+ to \d\.\d+$/);
    assert.match(perToken.title, /tokens taken as independent/);
    const bySequence = await errorOf('cross-entropy-sequences-error');
    assert.equal(bySequence.se, analysis.summary.crossEntropyClusteredStdError);
    assert.match(bySequence.text, /^by sequence: \u00b1 0\.\d+ \u00b7 95% /);
    assert.match(bySequence.title, /sequences as clusters/);
    // Each perplexity as PyTorch computed it, with the definition that tells them apart.
    const figures: [string, number, string][] = [
      ['perplexity', lmCase.perplexity, 'perplexity'],
      ['mean-sequence-perplexity', lmCase.meanSequencePerplexity, 'meanSequencePerplexity'],
      ['geometric-mean-sequence-perplexity', lmCase.geometricMeanSequencePerplexity, 'geometricMeanSequencePerplexity'],
      ['bits-per-token', lmCase.bitsPerToken, 'bitsPerToken'],
      ['bits-per-byte', lmExpected.textSize.bitsPerByte, 'bitsPerByte'],
      ['byte-perplexity', lmExpected.textSize.bytePerplexity, 'bytePerplexity'],
      ['word-perplexity', lmExpected.textSize.wordPerplexity, 'wordPerplexity'],
      ['tokens', lmCase.tokens, 'tokens'],
      ['sequences', lmCase.sequences, 'sequences'],
    ];
    for (const [id, value, key] of figures) {
      const shown = await card(id);
      assert.equal(shown.value, value, id);
      assert.equal(shown.definition, analysis.summary.definitions[key], `${id} has its definition`);
    }
    assert.equal((await card('perplexity')).text, lmCase.perplexity.toPrecision(6).replace(/0+$/, '').replace(/\.$/, ''));
    assert.match((await card('bits-per-token')).text, /^8\.51327 bits$/);
    assert.match((await card('bits-per-byte')).text, / bits$/);
    // The three the analysis leaves undefined still say what they are.
    for (const [id, value] of [
      ['accuracy', lmCase.accuracy],
      ['mean-entropy', lmCase.meanEntropy],
      ['ece', lmCase.ece],
    ] as const) {
      const shown = await card(id);
      assert.equal(shown.value, value, id);
      assert.ok(shown.definition.length > 30, `${id} has a definition`);
    }
    assert.match((await card('mean-entropy')).text, /^4\.63996 nats per token$/);
    assert.match((await card('ece')).definition, /15 equal-width bins/);
    // Converted to bits on the page, per token, without asking the host.
    await page.evaluate(() => {
      const dropdown = document.querySelector('vscode-dropdown#unit') as HTMLElement & { value: string };
      dropdown.value = 'bits';
      dropdown.dispatchEvent(new Event('change'));
    });
    assert.equal((await card('cross-entropy')).text, `${(lmCase.crossEntropy / Math.LN2).toPrecision(8)} bits per token`);
    // Summed over tokens: -log L, F.cross_entropy(..., reduction='sum').
    await page.evaluate(() => {
      const dropdown = document.querySelector('vscode-dropdown#reduction') as HTMLElement & { value: string };
      dropdown.value = 'sum';
      dropdown.dispatchEvent(new Event('change'));
    });
    assert.equal((await card('cross-entropy')).value, -lmCase.logLikelihood);
    assert.match((await page.locator('.lm-summary .card-label').first().textContent()) ?? '', /sum over tokens/);

    const facts = async (id: string) => (await page.locator(`[data-testid="${id}"]`).textContent()) ?? '';
    assert.match(await facts('scored'), /^Logits \[4, 16, 200\] \(sequences, positions, vocabulary\) from 'logits', against the token ids in 'labels'\.$/);
    assert.match(await facts('alignment'), /^Not shifted: the logits at position t score the target at t/);
    assert.ok((await facts('alignment')).endsWith(analysis.roles.shiftReason));
    assert.match(await facts('left-out'), /-100/);
    assert.match(
      await facts('other-alignment'),
      new RegExp(`^Shifted, the cross-entropy would be ${(lmCase.otherAlignmentCrossEntropy / Math.LN2).toPrecision(6).replace('.', '\\.')} bits per token`),
    );
    assert.equal(await facts('tokenizer'), 'Token text decoded with tokenizer.json (Llama 3).');
    assert.match((await page.locator('.subtitle').textContent()) ?? '', /42 tokens in 4 sequences/);
    assert.deepEqual((await pageRecord(page)).errors, []);
    await page.close();
  });

  it('shades each token of the sequence by its loss, the id muted where there is no text, and draws the plots and the derivation', async () => {
    const page = await panel('dark');
    const tokens = await page.$$eval('[data-testid="token"]', (items) =>
      items.map((item) => ({
        text: item.textContent ?? '',
        position: Number(item.getAttribute('data-position')),
        loss: Number(item.getAttribute('data-loss')),
        className: item.className,
        background: getComputedStyle(item).backgroundColor,
      })),
    );
    const first = analysis.tokenView.tokens;
    assert.equal(tokens.length, first.length);
    assert.equal(tokens.length, lmCase.sequenceTokens[0]);
    tokens.forEach((token, i) => {
      assert.equal(token.loss, lmCase.tokenNll[first[i]!.position]!, 'the loss PyTorch gives there');
      assert.equal(token.position, first[i]!.position);
    });
    assert.equal(tokens[1]!.text, 'Hello');
    // A loss of 4.06 nats is 5.86 bits (p between 1/64 and 1/8), 7.07 nats is 10.2 bits (p between 1/4096 and 1/512).
    const byLoss = (loss: number) => tokens.find((token) => token.loss === loss)!;
    assert.match(byLoss(lmCase.tokenNll[2]!).className, /surprisal-2/);
    assert.match(byLoss(lmCase.tokenNll[4]!).className, /surprisal-4/);
    const shades = new Set(tokens.map((token) => token.background));
    assert.ok(shades.size >= 3, `shaded by level (${[...shades].join(', ')})`);
    assert.ok(!shades.has('rgba(0, 0, 0, 0)'), 'every token here is shaded: none has p >= 1/2');
    assert.equal(await page.locator('[data-testid="surprisal-legend"] li').count(), 6);

    // Sequence 1 has 10 tokens and a 7-piece decoding: the last three are shown by id, muted.
    await page.locator('tr[data-sequence="1"]').click();
    await postToPanel(page, { type: 'sequence', version: VERSION, tokenView: tokenViewOf(labels, 1) });
    await page.waitForSelector('[data-testid="token"].token-id');
    const ids = await page.$$eval('[data-testid="token"].token-id', (items) =>
      items.map((item) => ({ text: item.textContent, colour: getComputedStyle(item).color })),
    );
    assert.equal(ids.length, 3);
    const view1 = tokenViewOf(labels, 1).tokens;
    assert.deepEqual(
      ids.map((id) => id.text),
      view1.slice(7).map((token) => `[${token.id}]`),
    );
    assert.equal(ids[0]!.colour, 'rgb(157, 157, 157)', 'the muted description colour');

    const inked = await page.$$eval('.plot canvas', (canvases) =>
      (canvases as HTMLCanvasElement[]).map((canvas) => {
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let count = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) count++;
        return count;
      }),
    );
    for (const id of ['plot-loss-by-position', 'plot-running-mean', 'plot-sequence-perplexity', 'plot-reliability'])
      assert.equal(await page.locator(`[data-testid="${id}"] canvas`).count(), 1, id);
    assert.equal(inked.length, 4);
    for (const count of inked) assert.ok(count > 500, `canvas has ink (${count})`);
    // uPlot draws its axes on the canvas; the figure's label names the unit for a screen reader.
    assert.equal(await page.getAttribute('[data-testid="plot-loss-by-position"]', 'aria-label'), 'Mean loss per token, in nats, at each of 16 positions');

    // The derivation through KaTeX, its log-likelihood the sum PyTorch gives.
    const steps = await page.$$eval('[data-testid="derivation-step"]', (items) => items.map((item) => item.querySelectorAll('.katex').length));
    assert.equal(steps.length, analysis.derivations[0]!.steps.length);
    for (const count of steps) assert.ok(count >= 1);
    assert.equal(await page.locator('.katex-error').count(), 0);
    const record = await pageRecord(page);
    assert.deepEqual(record.errors, []);
    assert.deepEqual(record.violations, []);
    assert.deepEqual((await posted(page, 'rendered')).at(-1), { type: 'rendered', version: VERSION, headline: lmCase.crossEntropy, steps: steps.length });
    await page.close();
  });

  it('hovering a token asks for its alternatives once, shows "loading", then the top 5 with the probabilities PyTorch gives', async () => {
    const page = await panel('light');
    const example = lmCase.top5.find((entry) => Math.floor(entry.position / lmExpected.T) === 0 && entry.position % lmExpected.T !== 0)!;
    const position = example.position % lmExpected.T;
    const token = page.locator(`[data-testid="token"][data-position="${position}"]`);
    await token.hover();
    await waitPosted(page, 'tokenAlternatives', 1);
    assert.deepEqual(await posted(page, 'tokenAlternatives'), [{ type: 'tokenAlternatives', sequence: 0, position }]);
    assert.equal(await page.locator('[data-testid="tip-loading"]').isVisible(), true);
    // exp(-loss) on the page is the softmax probability of the target in float64.
    const probability = Number(await page.getAttribute('[data-testid="tip-probability"]', 'data-value'));
    assert.ok(close(probability, example.targetProbability), `${probability} vs ${example.targetProbability}`);
    assert.equal(Number(await page.getAttribute('[data-testid="tip-rank"]', 'data-value')), example.targetRank + 1);

    await postToPanel(page, { type: 'alternatives', version: VERSION, alternatives: alternativesAt(example) });
    await page.waitForSelector('[data-testid="alternative"]');
    const shown = await page.$$eval('[data-testid="alternative"]', (items) =>
      items.map((item) => ({
        id: Number(item.getAttribute('data-id')),
        p: Number(item.getAttribute('data-probability')),
        target: item.classList.contains('is-target'),
      })),
    );
    assert.deepEqual(
      shown.map((entry) => entry.id),
      example.ids,
    );
    assert.deepEqual(
      shown.map((entry) => entry.p),
      example.probabilities,
    );
    assert.equal(shown.filter((entry) => entry.target).length, example.ids.includes(example.target) ? 1 : 0);
    assert.equal(await page.locator('[data-testid="tip-loading"]').count(), 0);
    await page.screenshot({ path: join(ARTIFACTS, 'webview-lm-tooltip-light.png') });

    // Away and back: the reply is cached, nothing is asked again; a reply for an older analysis is dropped.
    await page.locator('h1').hover();
    assert.equal(await page.locator('[data-testid="token-tip"]').isVisible(), false);
    await token.hover();
    await page.waitForTimeout(300);
    assert.equal((await posted(page, 'tokenAlternatives')).length, 1);
    assert.equal(await page.locator('[data-testid="alternative"]').count(), 5);
    const other = page.locator('[data-testid="token"][data-position="0"]');
    await other.hover();
    await waitPosted(page, 'tokenAlternatives', 2);
    await postToPanel(page, { type: 'alternatives', version: VERSION - 1, alternatives: alternativesAt(lmCase.top5[0]!) });
    await page.waitForTimeout(100);
    assert.equal(await page.locator('[data-testid="alternative"]').count(), 0, 'a stale reply is not shown');
    assert.deepEqual((await pageRecord(page)).errors, []);
    await page.close();
  });

  it('is reachable from the keyboard: Tab reaches the tokens, arrows move between them and each asks for its alternatives', async () => {
    const page = await panel('high-contrast');
    let focused = '';
    for (let i = 0; i < 60 && focused !== 'token'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
    }
    assert.equal(focused, 'token', 'Tab reaches the token view');
    await waitPosted(page, 'tokenAlternatives', 1);
    assert.equal(await page.locator('[data-testid="token-tip"]').isVisible(), true, 'focus shows the tooltip');
    await page.keyboard.press('ArrowRight');
    await waitPosted(page, 'tokenAlternatives', 2);
    const positions = analysis.tokenView.tokens.map((token) => token.position);
    assert.deepEqual(await posted(page, 'tokenAlternatives'), [
      { type: 'tokenAlternatives', sequence: 0, position: positions[0] },
      { type: 'tokenAlternatives', sequence: 0, position: positions[1] },
    ]);
    await page.keyboard.press('End');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-position')), String(positions.at(-1)));
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('[data-testid="token-tip"]').isVisible(), false);
    // Onwards to the sequence table: Enter on a row asks for that sequence.
    for (let i = 0; i < 10 && focused !== 'sequence-row'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
    }
    assert.equal(focused, 'sequence-row');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    assert.deepEqual(await posted(page, 'showSequence'), [{ type: 'showSequence', sequence: 1 }]);
    await page.close();
  });

  it('clicking a sequence row asks for it and the reply replaces the token view; the table sorts by NLL, perplexity and tokens', async () => {
    const page = await panel('light');
    await page.locator('tr[data-sequence="2"]').click();
    assert.deepEqual(await posted(page, 'showSequence'), [{ type: 'showSequence', sequence: 2 }]);
    assert.match((await page.locator('[data-testid="token-view-message"]').textContent()) ?? '', /Reading sequence 2/);
    const reply = tokenViewOf(labels, 2);
    await postToPanel(page, { type: 'sequence', version: VERSION, tokenView: reply });
    await page.waitForFunction(() => document.querySelector('[data-testid="token-view-title"]')?.textContent?.startsWith('Sequence 2'));
    const losses = await page.$$eval('[data-testid="token"]', (items) => items.map((item) => Number(item.getAttribute('data-loss'))));
    assert.equal(losses.length, lmCase.sequenceTokens[2]);
    // The shown losses add up to the sequence's NLL as F.cross_entropy(reduction='sum') gives it.
    assert.ok(
      close(
        losses.reduce((sum, loss) => sum + loss, 0),
        lmCase.sequenceNll[2]!,
        1e-13,
      ),
    );
    assert.equal(await page.getAttribute('tr[data-sequence="2"]', 'aria-selected'), 'true');
    assert.equal(await page.getAttribute('tr[data-sequence="0"]', 'aria-selected'), 'false');

    const order = () => page.$$eval('[data-testid="sequence-row"]', (rows) => rows.map((row) => Number(row.getAttribute('data-sequence'))));
    const ranked = (values: number[], descending: boolean) =>
      values
        .map((value, b) => ({ value, b }))
        .sort((x, y) => (descending ? y.value - x.value : x.value - y.value))
        .map((entry) => entry.b);
    const perplexities = lmCase.sequenceNll.map((nll, b) => Math.exp(nll / lmCase.sequenceTokens[b]!));
    assert.deepEqual(await order(), [0, 1, 2, 3]);
    await page.locator('button[data-sort="nll"]').click();
    assert.deepEqual(await order(), ranked(lmCase.sequenceNll, true));
    assert.equal(await page.getAttribute('th:has(button[data-sort="nll"])', 'aria-sort'), 'descending');
    await page.locator('button[data-sort="nll"]').click();
    assert.deepEqual(await order(), ranked(lmCase.sequenceNll, false));
    await page.locator('button[data-sort="perplexity"]').click();
    assert.deepEqual(await order(), ranked(perplexities, true));
    await page.locator('button[data-sort="tokens"]').click();
    assert.deepEqual(await order(), ranked(lmCase.sequenceTokens, true));
    // The sort keeps the row picked.
    assert.equal(await page.getAttribute('tr[data-sequence="2"]', 'aria-selected'), 'true');
    assert.deepEqual((await pageRecord(page)).errors, []);
    await page.close();
  });

  it('a worst token opens its sequence with the token marked', async () => {
    const page = await panel('dark');
    const worst = analysis.plots.worstTokens.find((token) => token.sequence !== analysis.tokenView.sequence)!;
    await page.locator(`[data-testid="worst-token"][data-sequence="${worst.sequence}"][data-position="${worst.position}"]`).click();
    assert.deepEqual((await posted(page, 'showSequence')).at(-1), { type: 'showSequence', sequence: worst.sequence });
    await postToPanel(page, { type: 'sequence', version: VERSION, tokenView: tokenViewOf(labels, worst.sequence) });
    await page.waitForSelector('[data-testid="token"].highlighted');
    const marked = await page.$$eval('[data-testid="token"].highlighted', (items) =>
      items.map((item) => ({ position: Number(item.getAttribute('data-position')), loss: Number(item.getAttribute('data-loss')) })),
    );
    assert.deepEqual(marked, [{ position: worst.position, loss: lmCase.tokenNll[worst.sequence * lmExpected.T + worst.position] }]);
    // The file's largest token loss, as PyTorch gives it.
    assert.equal(analysis.plots.worstTokens[0]!.loss, Math.max(...lmCase.tokenNll.filter((loss): loss is number => loss !== null)));
    // One in the sequence shown is marked without asking the host.
    const asked = (await posted(page, 'showSequence')).length;
    const same = analysis.plots.worstTokens.find((token) => token.sequence === worst.sequence && token.position !== worst.position);
    if (same) {
      await page.locator(`[data-testid="worst-token"][data-sequence="${same.sequence}"][data-position="${same.position}"]`).click();
      assert.equal(await page.getAttribute('[data-testid="token"].highlighted', 'data-position'), String(same.position));
      assert.equal((await posted(page, 'showSequence')).length, asked);
    }
    await page.close();
  });

  it('a failed token request is said beside the token view and the panel stays; a failed analysis still replaces it', async () => {
    const page = await panel('light');
    await page.locator('tr[data-sequence="3"]').click();
    await postToPanel(page, { type: 'error', message: 'causal_float32.pt: sequence 3: the file changed on disk', request: 'sequence' });
    await page.waitForSelector('[data-testid="token-view-error"]');
    assert.equal(await page.locator('[data-testid="token-view-error"]').textContent(), 'causal_float32.pt: sequence 3: the file changed on disk');
    assert.equal(await page.locator('[data-testid="cross-entropy"]').count(), 1, 'the figures stay');
    assert.equal(await page.getAttribute('tr[data-sequence="0"]', 'aria-selected'), 'true', 'the table points at the sequence still shown');
    await page.locator('[data-testid="token"]').nth(2).hover();
    await waitPosted(page, 'tokenAlternatives', 1);
    await postToPanel(page, { type: 'error', message: 'causal_float32.pt: position 2: cannot read the logits', request: 'alternatives' });
    await page.waitForFunction(() => document.querySelector('[data-testid="token-view-error"]')?.textContent?.includes('position 2'));
    assert.match((await page.locator('[data-testid="token-tip"]').textContent()) ?? '', /could not be read/);
    await postToPanel(page, { type: 'error', message: 'causal_float32.pt: not a pickle' });
    assert.equal(await page.locator('[data-testid="error"]').textContent(), 'causal_float32.pt: not a pickle');
    assert.deepEqual((await pageRecord(page)).errors, []);
    await page.close();
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    for (const width of [500, 1600]) {
      it(`holds its layout at ${width} px (${theme} theme)`, async () => {
        const page = await panel(theme, width);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `no horizontal scroll (${overflow} px too wide)`);
        const cards = await page.$$eval('.lm-summary .card', (items) => items.map((item) => item.getBoundingClientRect().width));
        assert.ok(
          cards.every((cardWidth) => cardWidth >= 200),
          `cards keep their width (${cards.join(', ')})`,
        );
        await page.locator('[data-testid="token"]').nth(3).hover();
        await page.waitForSelector('[data-testid="token-tip"]:not([hidden])');
        const tip = await page.$eval('[data-testid="token-tip"]', (el) => {
          const box = el.getBoundingClientRect();
          return { left: box.left, right: box.right, viewport: document.documentElement.clientWidth };
        });
        assert.ok(tip.left >= 0 && tip.right <= tip.viewport, `the tooltip is on screen (${tip.left}..${tip.right} of ${tip.viewport})`);
        await page.screenshot({ path: join(ARTIFACTS, `webview-lm-${theme}-${width}.png`), fullPage: true });
        assert.deepEqual((await pageRecord(page)).errors, []);
        await page.close();
      });
    }
  }
});
