/** The loss panel's page: receives analyses from the host and renders them; never reads files or computes over rows. */
import { convertNats, unitSymbol } from '../src/engine/units';
import { parseHostMessage, type Analysis, type AnalysisOptions, type HostMessage, type InformationUnit } from '../src/protocol';
import { roleControls } from './controls';
import { derivationView } from './derivationView';
import { actionButton, h } from './dom';
import { formatInUnit, formatNumber } from './format';
import { histogramPlot, parameterCurvePlot, perSampleLossPlot, reliabilityPlot, runningMeanPlot, type PlotHandle } from './plots';
import { loadState, post, saveState } from './vscodeApi';

const app = document.getElementById('app')!;
let plots: PlotHandle[] = [];
let current: Extract<HostMessage, { type: 'analysis' }> | undefined;

function card(label: string, value: string | Node, testId: string, raw: number, hint: string): HTMLElement {
  return h('div', { class: 'card', title: hint }, h('div', { class: 'card-label' }, label), h('div', { class: 'card-value', 'data-testid': testId, 'data-value': String(raw) }, value));
}

/** m x 10^e with a real superscript. */
function scientific(mantissa: number, exponent: number): Node {
  if (mantissa === 0) return document.createTextNode('0');
  return h('span', {}, `${formatNumber(mantissa, 4)} \u00d7 10`, h('sup', {}, formatNumber(exponent)));
}

function summaryView(analysis: Analysis, unit: InformationUnit): HTMLElement {
  const s = analysis.summary;
  return h(
    'section',
    { class: 'summary', 'aria-label': 'Summary' },
    card('Cross-entropy', formatInUnit(s.crossEntropy, unit, 8), 'cross-entropy', s.crossEntropy, 'Mean negative log-likelihood of the labels'),
    card('Log-likelihood', formatNumber(convertNats(s.logLikelihood, unit), 10), 'log-likelihood', s.logLikelihood, `Sum of log q(y_i|x_i), ${unitSymbol(unit)}`),
    card('Likelihood', scientific(s.likelihoodMantissa, s.likelihoodExponent), 'likelihood', s.log10Likelihood, 'exp(log-likelihood), from its base-10 logarithm'),
    card('Perplexity', formatNumber(s.perplexity, 6), 'perplexity', s.perplexity, 'exp(cross-entropy)'),
    card('Accuracy', `${formatNumber(100 * s.accuracy, 4)}%`, 'accuracy', s.accuracy, 'Share of rows whose largest prediction is the label'),
    card('Rows', String(s.n), 'rows', s.n, `${s.classes} classes`),
    s.temperature ? card('Best temperature', `T = ${formatNumber(s.temperature.value, 4)}`, 'temperature', s.temperature.value, `Cross-entropy ${formatInUnit(s.temperature.crossEntropy, unit)} at this T (${formatInUnit(s.temperature.crossEntropyAtOne, unit)} at T = 1)`) : '',
  );
}

function worstRowsView(analysis: Analysis, unit: InformationUnit): HTMLElement {
  return h(
    'section',
    { class: 'worst', 'aria-label': 'Worst rows' },
    h('h2', {}, 'Worst rows'),
    h(
      'ol',
      {},
      ...analysis.plots.worstRows.map((worst) => {
        const text = `${worst.line !== undefined ? `line ${worst.line}` : `row ${worst.row}`}: label ${worst.label}, loss ${formatInUnit(worst.loss, unit)}`;
        if (worst.line === undefined) return h('li', {}, text);
        const button = h('button', { class: 'link', type: 'button', 'data-line': worst.line, title: 'Reveal this row in the editor' }, text);
        button.addEventListener('click', () => post({ type: 'revealRow', line: worst.line! }));
        return h('li', {}, button);
      }),
    ),
  );
}

function withSaveButton(plot: PlotHandle): HTMLElement {
  plot.element.append(
    actionButton('Save PNG', 'Save this plot as a PNG image', () => {
      const png = plot.toPng();
      if (png) post({ type: 'savePlot', name: plot.name, pngDataUrl: png });
    }, 'save-plot'),
  );
  return plot.element;
}

function layoutPlots(): void {
  for (const plot of plots) plot.resize(Math.max(240, plot.element.clientWidth - 8));
}

function render(message: Extract<HostMessage, { type: 'analysis' }>): void {
  current = message;
  saveState({ fileUri: message.fileUri, options: message.options });
  for (const plot of plots) plot.destroy();
  const { analysis } = message;
  const unit = message.unit ?? 'nats';
  const reliability = reliabilityPlot(analysis);
  plots = [
    ...analysis.plots.parameterCurves.map((curve) => parameterCurvePlot(curve, unit)),
    perSampleLossPlot(analysis, unit),
    runningMeanPlot(analysis, unit),
    histogramPlot(analysis, unit),
    ...(reliability ? [reliability] : []),
  ];
  const changeOptions = (options: AnalysisOptions) => {
    saveState({ fileUri: message.fileUri, options });
    showStatus('Recomputing\u2026');
    post({ type: 'setOptions', options });
  };
  const warnings = analysis.warnings.length > 0 ? h('ul', { class: 'warnings', 'aria-label': 'Warnings' }, ...analysis.warnings.map((warning) => h('li', {}, warning))) : '';
  app.replaceChildren(
    h(
      'header',
      {},
      h('h1', {}, analysis.file.name),
      h('p', { class: 'subtitle' }, `${analysis.file.format.toUpperCase()} \u00b7 ${analysis.summary.n} rows \u00b7 categorical cross-entropy \u00b7 predictions read as ${analysis.roles.kind}: ${analysis.roles.kindReason}`),
    ),
    h('p', { class: 'status', role: 'status' }),
    warnings,
    summaryView(analysis, unit),
    roleControls(analysis, message.options, changeOptions).element,
    h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': 'Export' },
      actionButton('Copy derivation (Markdown)', 'Copy every step as Markdown with LaTeX', () => post({ type: 'copy', what: 'markdown' }), 'copy-markdown'),
      actionButton('Copy PyTorch snippet', 'Copy Python code that reproduces the cross-entropy from this file', () => post({ type: 'copy', what: 'python' }), 'copy-python'),
    ),
    h('section', { class: 'plots', 'aria-label': 'Plots' }, ...plots.map((plot) => withSaveButton(plot))),
    ...analysis.derivations.map((derivation, index) => derivationView(derivation, (stepId) => post({ type: 'copy', what: 'step-latex', stepId }), index === 0)),
    worstRowsView(analysis, unit),
  );
  layoutPlots();
  const steps = analysis.derivations.reduce((total, derivation) => total + derivation.steps.length, 0);
  post({ type: 'rendered', version: message.version, crossEntropy: analysis.summary.crossEntropy, steps });
}

function showStatus(text: string, fraction?: number): void {
  let status = app.querySelector('.status');
  if (!status) {
    status = h('p', { class: 'status', role: 'status' });
    app.replaceChildren(status);
  }
  status.replaceChildren(text, fraction === undefined ? '' : h('progress', { max: 1, value: fraction, 'aria-label': 'Share of the file read' }));
}

function showError(text: string): void {
  for (const plot of plots) plot.destroy();
  plots = [];
  app.replaceChildren(h('p', { class: 'error', role: 'alert', 'data-testid': 'error' }, text));
}

window.addEventListener('message', (event: MessageEvent) => {
  const message = parseHostMessage(event.data);
  if (!message) return;
  if (message.type === 'analysis') render(message);
  else if (message.type === 'progress') showStatus(message.message, message.fraction);
  else showError(message.message);
});

let resizeTimer: number | undefined;
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(layoutPlots, 100);
});

// VS Code swaps body classes when the colour theme changes; plots read colours when built.
new MutationObserver(() => {
  if (current) render(current);
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

const state = loadState();
if (state) saveState(state);
post({ type: 'ready' });
