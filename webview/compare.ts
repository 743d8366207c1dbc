/** The comparison panel: model A against model B on the same rows, every difference A minus B, in nats. */
import uPlot from 'uplot';
import {
  parseComparisonHostMessage,
  parseComparisonPanelState,
  type ComparisonDetail,
  type ComparisonHostMessage,
  type ComparisonViewMessage,
} from '../src/protocol/webview';
import { derivationView } from './derivationView';
import { h } from './dom';
import { formatNumber } from './format';
import { axes, figure, HEIGHT, histogramChart, themeColours, type PlotHandle } from './plots';
import { followWindow } from './redraw';

interface VsCodeApi {
  postMessage(message: ComparisonViewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
const post = (message: ComparisonViewMessage) => vscode.postMessage(message);

let current: Extract<ComparisonHostMessage, { type: 'comparison' }> | undefined;
let plots: PlotHandle[] = [];

const nats = (value: number, digits = 6) => `${formatNumber(value, digits)} nats`;
const interval = (i: { readonly lower: number; readonly upper: number }) => `[${formatNumber(i.lower, 6)}, ${formatNumber(i.upper, 6)}]`;
const excludesZero = (i: { readonly lower: number; readonly upper: number }) => i.lower > 0 || i.upper < 0;

function card(label: string, value: string, testId: string, detail?: string): HTMLElement {
  return h(
    'div',
    { class: 'card', 'data-testid': testId },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value' }, value),
    detail ? h('div', { class: 'card-label' }, detail) : '',
  );
}

/** Which way a difference points, in words. */
function verdict(detail: ComparisonDetail): string {
  const c = detail.comparison;
  const favoured = c.crossEntropyDifference < 0 ? 'A' : c.crossEntropyDifference > 0 ? 'B' : undefined;
  if (!favoured) return 'The two cross-entropies are equal.';
  const sure = excludesZero(c.normalInterval95) && excludesZero(c.bootstrapInterval95);
  return `${favoured} has the lower cross-entropy; ${sure ? 'both 95% intervals exclude 0' : 'a 95% interval includes 0: the data do not settle which is better'}.`;
}

function headlineView(detail: ComparisonDetail): HTMLElement {
  const c = detail.comparison;
  const b = c.bootstrapInterval95;
  const cards = [
    card('CE_A \u2212 CE_B (A minus B)', nats(c.crossEntropyDifference, 8), 'difference', `standard error ${formatNumber(c.differenceStdError, 6)}`),
    card(
      '95% interval, normal',
      interval(c.normalInterval95),
      'normal-interval',
      `difference \u00b1 1.959964 se${excludesZero(c.normalInterval95) ? ', excludes 0' : ', includes 0'}`,
    ),
    card(
      '95% interval, paired bootstrap',
      interval(b),
      'bootstrap-interval',
      `Poisson bootstrap, ${b.replicates} replicates, seed ${b.seed}${excludesZero(b) ? ', excludes 0' : ', includes 0'}`,
    ),
    card('log L_A \u2212 log L_B', nats(c.logLikelihoodRatio, 10), 'log-likelihood-ratio', `= \u2212n \u00d7 difference; positive favours A`),
    card('cross-entropy A', nats(c.crossEntropyA, 8), 'cross-entropy-a', `\u00b1 ${formatNumber(c.crossEntropyStdErrorA, 4)} (se)`),
    card('cross-entropy B', nats(c.crossEntropyB, 8), 'cross-entropy-b', `\u00b1 ${formatNumber(c.crossEntropyStdErrorB, 4)} (se)`),
    card('rows each model wins', `A ${c.winsA} \u00b7 B ${c.winsB}`, 'wins', `tied ${c.ties} (the lower loss wins)`),
  ];
  if (c.mcnemarPValue !== undefined) {
    const p = c.mcnemarPValue === 0 ? `10^${formatNumber(c.mcnemarLog10PValue!, 6)}` : formatNumber(c.mcnemarPValue, 6);
    cards.push(
      card('McNemar p-value', p, 'mcnemar', 'exact two-sided binomial test of the flips'),
      card(
        'flips',
        `${c.flippedRightToWrong} \u2192 ${c.flippedWrongToRight}`,
        'flips',
        `right in A and wrong in B ${c.flippedRightToWrong}, wrong in A and right in B ${c.flippedWrongToRight}; both right ${c.bothRight}, both wrong ${c.bothWrong}`,
      ),
      card('accuracy', `A ${formatNumber(c.accuracyA!, 6)} \u00b7 B ${formatNumber(c.accuracyB!, 6)}`, 'accuracy', 'top class'),
    );
  }
  return h(
    'section',
    { 'aria-label': 'Headline' },
    h('p', { class: 'verdict', 'data-testid': 'verdict' }, verdict(detail)),
    h('div', { class: 'summary' }, ...cards),
  );
}

function flippedRows(detail: ComparisonDetail): HTMLElement | string {
  const c = detail.comparison;
  if (c.flippedRightToWrongRows === undefined) return '';
  const list = (label: string, rows: readonly number[], total: number) =>
    rows.length === 0
      ? ''
      : h('p', {}, `${label}: `, ...rows.flatMap((row, i) => [i > 0 ? ', ' : '', rowButton(row, `row ${row}`)]), total > rows.length ? ', \u2026' : '');
  return h(
    'section',
    { class: 'flipped', 'aria-label': 'Flipped rows', 'data-testid': 'flipped-rows' },
    list('Right in A, wrong in B', c.flippedRightToWrongRows, c.flippedRightToWrong!),
    list('Wrong in A, right in B', c.flippedWrongToRightRows!, c.flippedWrongToRight!),
  );
}

function rowButton(row: number, text: string): HTMLElement {
  const button = h('button', { class: 'link', type: 'button', 'data-row': row, title: 'Reveal this row in both files, side by side' }, text);
  button.addEventListener('click', () => post({ type: 'revealRow', row }));
  return button;
}

function largestDifferences(detail: ComparisonDetail): HTMLElement {
  const { aWorse, bWorse } = detail.comparison.largestDifferences;
  const table = (title: string, testId: string, rows: typeof aWorse) =>
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'differences', 'data-testid': testId },
        h('caption', {}, title),
        h('thead', {}, h('tr', {}, ...['row', 'loss A', 'loss B', 'A \u2212 B'].map((label) => h('th', { scope: 'col' }, label)))),
        h(
          'tbody',
          {},
          ...rows.map((r) => {
            const tr = h(
              'tr',
              { class: 'clickable', tabindex: 0, 'data-row': r.row, 'data-testid': 'difference-row', title: 'Reveal this row in both files, side by side' },
              h('th', { scope: 'row', class: 'num' }, String(r.row)),
              h('td', { class: 'num' }, formatNumber(r.lossA, 6)),
              h('td', { class: 'num' }, formatNumber(r.lossB, 6)),
              h('td', { class: 'num' }, formatNumber(r.difference, 6)),
            );
            const reveal = () => post({ type: 'revealRow', row: r.row });
            tr.addEventListener('click', reveal);
            tr.addEventListener('keydown', (event) => {
              if (event.key === 'Enter' || event.key === ' ') {
                event.preventDefault();
                reveal();
              }
            });
            return tr;
          }),
        ),
      ),
    );
  return h(
    'section',
    { class: 'largest', 'aria-label': 'Largest differences' },
    h('h2', {}, 'Largest differences each way \u00b7 losses in nats'),
    h(
      'div',
      { class: 'difference-tables' },
      table('A worse than B (A \u2212 B largest)', 'a-worse', aWorse),
      table('B worse than A (A \u2212 B most negative)', 'b-worse', bWorse),
    ),
  );
}

function scatterPlot(detail: ComparisonDetail): PlotHandle {
  const { scatter } = detail.plots;
  // uPlot draws x in increasing order: the points sorted by A's loss, rows that cannot be drawn left out.
  const points = scatter.lossA
    .map((a, i) => [a, scatter.lossB[i]] as const)
    .filter((p): p is readonly [number, number] => p[0] !== null && p[1] !== null)
    .sort((p, q) => p[0] - q[0]);
  const x = points.map((p) => p[0]);
  const drawn = scatter.rows.length < scatter.total ? `${scatter.rows.length} of ${scatter.total} rows, the extremes kept` : `${scatter.total} rows`;
  return figure(
    `Per-row loss, A against B (${drawn})`,
    'plot-scatter',
    `Scatter of ${drawn}: points below the diagonal are rows where B has the lower loss`,
    (target, width) => {
      const colours = themeColours();
      return new uPlot(
        {
          width,
          height: HEIGHT + 60,
          legend: { show: false },
          scales: { x: { time: false } },
          axes: axes(colours, 'loss A (nats)', 'loss B (nats)'),
          series: [
            {},
            { label: 'rows', stroke: colours.primary, width: 0, points: { show: true, size: 3, fill: colours.primary, stroke: colours.primary } },
            { label: 'A = B', stroke: colours.secondary, width: 1, dash: [4, 4] },
          ],
        },
        [x, points.map((p) => p[1]), x],
        target,
      );
    },
  );
}

/** Vertical lines at x values, drawn over a plot: the 95% interval and 0. */
function markers(lines: readonly { readonly x: number; readonly colour: string; readonly dash: number[] }[]): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u: uPlot) => {
          const { ctx, bbox } = u;
          ctx.save();
          for (const line of lines) {
            const px = u.valToPos(line.x, 'x', true);
            if (px < bbox.left || px > bbox.left + bbox.width) continue;
            ctx.strokeStyle = line.colour;
            ctx.lineWidth = 2 * (window.devicePixelRatio || 1);
            ctx.setLineDash(line.dash);
            ctx.beginPath();
            ctx.moveTo(px, bbox.top);
            ctx.lineTo(px, bbox.top + bbox.height);
            ctx.stroke();
          }
          ctx.restore();
        },
      ],
    },
  };
}

function histogramPlot(detail: ComparisonDetail): PlotHandle {
  const { counts, infinite } = detail.plots.histogram;
  const c = detail.comparison;
  const title = `Per-row differences A \u2212 B, 95% interval of the mean marked${infinite > 0 ? ` (${infinite} not finite, not shown)` : ''}`;
  return figure(
    title,
    'plot-difference-histogram',
    `${counts.length} bins; the mean difference's 95% interval is ${interval(c.normalInterval95)}`,
    (target, width) => {
      const colours = themeColours();
      return histogramChart(target, width, detail.plots.histogram, { x: 'loss A \u2212 loss B (nats)', y: 'rows' }, [
        markers([
          { x: 0, colour: colours.foreground, dash: [2, 3] },
          { x: c.normalInterval95.lower, colour: colours.secondary, dash: [] },
          { x: c.normalInterval95.upper, colour: colours.secondary, dash: [] },
        ]),
      ]);
    },
  );
}

function runningMeanPlot(detail: ComparisonDetail): PlotHandle {
  const { n, mean, lower, upper } = detail.plots.runningMean;
  return figure(
    'Running mean of A \u2212 B as n grows, \u00b11.96 se band',
    'plot-difference-running-mean',
    `Running mean of the differences ending at ${formatNumber(detail.comparison.crossEntropyDifference, 6)}`,
    (target, width) => {
      const colours = themeColours();
      return new uPlot(
        {
          width,
          height: HEIGHT,
          legend: { show: false },
          scales: { x: { time: false } },
          axes: axes(colours, 'rows n', 'mean of A \u2212 B (nats)'),
          series: [
            { label: 'n' },
            { label: 'running mean', stroke: colours.primary, width: 2 },
            { label: 'lower 95%', stroke: colours.band, width: 1, dash: [4, 4] },
            { label: 'upper 95%', stroke: colours.band, width: 1, dash: [4, 4] },
            { label: '0', stroke: colours.foreground, width: 1, dash: [2, 3] },
          ],
          bands: [{ series: [3, 2], fill: `${colours.band}22` }],
        },
        [n, mean, lower, upper, n.map(() => 0)],
        target,
      );
    },
  );
}

function subtitle(detail: ComparisonDetail): string {
  const c = detail.comparison;
  const counted = c.task === 'lm' ? `${c.n} tokens` : `${c.n} rows`;
  const ignored = c.ignored > 0 ? `, ${c.ignored} ${c.task === 'lm' ? 'positions not scored' : 'rows ignored'}` : '';
  return `${c.task} \u00b7 ${counted}${ignored} \u00b7 compared by ${c.loss} \u00b7 every difference is A minus B, in nats`;
}

function render(message: Extract<ComparisonHostMessage, { type: 'comparison' }>, failure?: string): void {
  current = message;
  for (const plot of plots) plot.destroy();
  const { detail } = message;
  const c = detail.comparison;
  plots = [scatterPlot(detail), histogramPlot(detail), runningMeanPlot(detail)];
  app.replaceChildren(
    h('header', {}, h('h1', {}, `A: ${c.fileA} \u00b7 B: ${c.fileB}`), h('p', { class: 'subtitle' }, subtitle(detail))),
    failure ? errorLine(failure, true) : '',
    h('p', { class: 'status', role: 'status' }),
    c.warnings.length > 0 ? h('ul', { class: 'warnings', 'aria-label': 'Warnings' }, ...c.warnings.map((warning) => h('li', {}, warning))) : '',
    headlineView(detail),
    flippedRows(detail),
    derivationView(detail.derivation, (stepId) => post({ type: 'copy', stepId }), true),
    h('section', { class: 'plots', 'aria-label': 'Plots' }, ...plots.map((plot) => plot.element)),
    largestDifferences(detail),
  );
  app.classList.toggle('stale', failure !== undefined);
  layoutPlots();
  if (failure === undefined) post({ type: 'rendered', version: message.version, difference: c.crossEntropyDifference, steps: detail.derivation.steps.length });
}

function errorLine(text: string, stale: boolean): HTMLElement {
  return h(
    'div',
    { class: 'error-banner', role: 'alert' },
    h('p', { class: 'error', 'data-testid': 'error' }, text),
    stale ? h('p', { class: 'stale-note' }, 'The numbers below are from the last comparison that succeeded.') : '',
  );
}

function layoutPlots(): void {
  for (const plot of plots) plot.resize(Math.max(240, plot.element.clientWidth - 8));
}

function showStatus(text: string, fraction?: number): void {
  let status = app.querySelector('.status');
  if (!status) {
    status = h('p', { class: 'status', role: 'status' });
    app.replaceChildren(status);
  }
  status.replaceChildren(text, fraction === undefined ? '' : h('progress', { max: 1, value: fraction, 'aria-label': 'Share of the files read' }));
}

function receive(message: ComparisonHostMessage): void {
  if (message.type === 'comparison') render(message);
  else if (message.type === 'progress') showStatus(message.message, message.fraction);
  else if (current) render(current, message.message);
  else {
    app.replaceChildren(errorLine(message.message, false), h('p', { class: 'status', role: 'status' }));
    post({ type: 'rendered', version: message.version, difference: Number.NaN, steps: 0 });
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  const message = parseComparisonHostMessage(event.data);
  if (!message) return;
  try {
    receive(message);
  } catch (error) {
    current = undefined;
    app.replaceChildren(errorLine(`The panel could not show this comparison: ${error instanceof Error ? error.message : String(error)}`, false));
  }
});

followWindow(layoutPlots, () => {
  if (current) render(current);
});

// The files compared, kept so a restored panel knows what it showed.
function initialState(): unknown {
  try {
    return JSON.parse(document.body.dataset.state ?? 'null');
  } catch {
    return undefined;
  }
}
const state = parseComparisonPanelState(vscode.getState()) ?? parseComparisonPanelState(initialState());
if (state) vscode.setState(state);
post({ type: 'ready' });
