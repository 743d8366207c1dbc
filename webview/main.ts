/** The loss panel's page: receives analyses from the host and renders them; never reads files or computes over rows. */
import {
  convertNats,
  unitSymbol,
  parseHostMessage,
  type Analysis,
  type AnalysisOptions,
  type HostMessage,
  type InformationUnit,
  type LanguageModelAnalysis,
  type PanelState,
  type PanelView,
  headline,
  isClassification,
  type SummaryBase,
  type Reduction,
  type ErrorBar,
} from '../src/protocol/webview';
import { roleControls, taskControls } from './controls';
import { classTable } from './classTable';
import { sliceTables } from './sliceTable';
import { derivationView } from './derivationView';
import { evalCards, evalReadAs, lmEvalSection } from './evalView';
import { entropySplit, fittedTemperatureText, sigmaExplorer, temperatureExplorer } from './explorers';
import { actionButton, h } from './dom';
import { errorBarLine, noiseFloorLine, percentErrorBar, plainErrorBar } from './errorBars';
import { formatLoss, formatNumber, lossUnit } from './format';
import { LanguageModelView } from './languageModel';
import { lossByPositionPlot, sequencePerplexityPlot } from './lmPlots';
import { alignmentFacts, languageModelCards } from './lmSummary';
import { histogramPlot, parameterCurvePlot, perSampleLossPlot, reliabilityPlot, runningMeanPlot, type PlotHandle, type WithRowPlots } from './plots';
import { loadState, post, saveState } from './vscodeApi';
import { followWindow } from './redraw';

const app = document.getElementById('app')!;
let plots: PlotHandle[] = [];
let current: Extract<HostMessage, { type: 'analysis' }> | undefined;
/** A language model's token view and sequence table, kept while the same analysis is shown again. */
let languageModel: LanguageModelView | undefined;
/** The unit picked here (over the host's setting) and the sliders' places, kept in the webview state. */
let view: PanelView = loadState()?.view ?? {};
/** The analysis that failed last: shown in a banner over the last good numbers (greyed) until an analysis succeeds. */
let failure: { readonly message: string; readonly options?: AnalysisOptions } | undefined;

function card(label: string, value: string | Node, testId: string, raw: number, hint: string, ...errorBars: (HTMLElement | string)[]): HTMLElement {
  return h(
    'div',
    { class: 'card', title: hint },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value', 'data-testid': testId, 'data-value': String(raw) }, value),
    ...errorBars,
  );
}

/** A loss's error bar in the unit chosen, shown with the mean only (a sum's spread is n times larger and says nothing more). */
function lossErrorBar(bar: ErrorBar | undefined, testId: string, shown: Shown): HTMLElement | string {
  return shown.reduction === 'mean' ? errorBarLine(bar, testId, (value, digits) => formatNumber(convertNats(value, shown.unit), digits)) : '';
}

/** m x 10^e with a real superscript. */
function scientific(mantissa: number, exponent: number): Node {
  if (mantissa === 0) return document.createTextNode('0');
  return h('span', {}, `${formatNumber(mantissa, 4)} \u00d7 10`, h('sup', {}, formatNumber(exponent)));
}

/** The cards every task with a likelihood shows, in the unit chosen. */
/** How the panel shows losses: in which unit, and as the mean over rows or their sum (PyTorch's reduction). */
interface Shown {
  readonly unit: InformationUnit;
  readonly reduction: Reduction;
}

/** A per-row loss reduced as asked: the sum of the rows' losses is exactly -log L. */
function lossCard(label: string, mean: number, n: number, shown: Shown, testId: string, hint: string, errorBar: HTMLElement | string = ''): HTMLElement {
  const value = shown.reduction === 'sum' ? mean * n : mean;
  return card(
    shown.reduction === 'sum' ? `${label} \u00b7 sum over rows` : label,
    formatLoss(value, shown.unit, shown.reduction, 8),
    testId,
    value,
    hint,
    errorBar,
  );
}

function likelihoodCards(s: SummaryBase, shown: Shown, meanLabel: string, meanHint: string): HTMLElement[] {
  const { unit } = shown;
  return [
    shown.reduction === 'sum'
      ? card(`${meanLabel} \u00b7 sum over rows`, formatLoss(-s.logLikelihood, unit, 'sum', 8), 'cross-entropy', -s.logLikelihood, 'The sum over rows: -log L')
      : card(
          meanLabel,
          formatLoss(s.crossEntropy, unit, 'mean', 8),
          'cross-entropy',
          s.crossEntropy,
          meanHint,
          lossErrorBar(s.errorBars.crossEntropy, 'cross-entropy', shown),
        ),
    card(
      'Log-likelihood',
      `${formatNumber(convertNats(s.logLikelihood, unit), 10)} ${lossUnit(unit, 'sum')}`,
      'log-likelihood',
      s.logLikelihood,
      `Sum of the log-probabilities (densities) of the rows, in ${unitSymbol(unit)}`,
    ),
  ];
}

function taskCards(analysis: Exclude<Analysis, LanguageModelAnalysis>, shown: Shown): (HTMLElement | string)[] {
  const { unit } = shown;
  switch (analysis.task) {
    case 'categorical':
    case 'binary': {
      const s = analysis.summary;
      return [
        ...likelihoodCards(s, shown, analysis.task === 'binary' ? 'Binary cross-entropy' : 'Cross-entropy', 'Mean negative log-likelihood of the labels'),
        card(
          'Likelihood',
          scientific(s.likelihoodMantissa, s.likelihoodExponent),
          'likelihood',
          s.log10Likelihood,
          'exp(log-likelihood), from its base-10 logarithm',
        ),
        card(
          'Perplexity',
          formatNumber(s.perplexity, 6),
          'perplexity',
          s.perplexity,
          'exp(cross-entropy)',
          plainErrorBar(s.errorBars.perplexity, 'perplexity'),
        ),
        card(
          'Accuracy',
          `${formatNumber(100 * s.accuracy, 4)}%`,
          'accuracy',
          s.accuracy,
          'Share of rows whose largest prediction is the label',
          percentErrorBar(s.errorBars.accuracy, 'accuracy'),
        ),
        card(
          'Calibration error (ECE, 15 bins)',
          formatNumber(s.expectedCalibrationError, 4),
          'ece',
          s.expectedCalibrationError,
          'Expected calibration error of the top-class probability: 15 equal-width bins, |accuracy \u2212 confidence| weighted by each bin\u2019s share of rows (torchmetrics)',
          plainErrorBar(s.errorBars.expectedCalibrationError, 'ece'),
          noiseFloorLine(s.calibrationNoiseFloor),
        ),
        card('Rows', String(s.n), 'rows', s.n, `${s.classes} classes`),
        s.temperature
          ? card(
              'Best temperature',
              fittedTemperatureText(s.temperature),
              'temperature',
              s.temperature.value,
              `Cross-entropy ${formatLoss(s.temperature.crossEntropy, unit, 'mean')} at this T (${formatLoss(s.temperature.crossEntropyAtOne, unit, 'mean')} at T = 1), fitted on ${s.temperature.rows === s.n ? 'every row' : `the first ${s.temperature.rows} rows`}`,
            )
          : '',
      ];
    }
    case 'soft': {
      const s = analysis.summary;
      return [
        ...likelihoodCards(s, shown, 'Cross-entropy H(p,q)', 'Mean over rows of -sum_c p_c log q_c'),
        lossCard('Entropy H(p)', s.entropy, s.n, shown, 'entropy', 'Mean entropy of the target rows'),
        lossCard('KL(p || q)', s.kl, s.n, shown, 'kl', "F.kl_div(log q, p, reduction='batchmean'); summed, reduction='sum'"),
        card(
          'H(p,q) = H(p) + KL',
          s.identity.holds ? 'holds' : 'fails',
          'identity',
          s.identity.residual,
          `Relative residual ${s.identity.residual.toExponential(1)}`,
        ),
        card('Rows', String(s.n), 'rows', s.n, `${s.classes} classes`),
      ];
    }
    case 'regression': {
      const s = analysis.summary;
      const v = s.predictedVariance;
      return [
        card('MSE', formatNumber(s.mse, 8), 'mse', s.mse, 'F.mse_loss: the mean over every output of every row'),
        ...likelihoodCards(
          s,
          shown,
          `Gaussian NLL per row (\u03c3 = ${formatNumber(s.sigma, 4)})`,
          'Mean over rows of -log N(y; y_hat, sigma^2 I), with the constant',
        ),
        card(
          '\u03c3 MLE',
          formatNumber(s.sigmaMle, 8),
          'sigma-mle',
          s.sigmaMle,
          s.logLikelihoodAtSigmaMle === Infinity
            ? 'sqrt(MSE) = 0: every residual is 0, so the NLL at \u03c3 \u2192 0 is -\u221e (the likelihood is unbounded)'
            : `sqrt(MSE); log-likelihood there ${formatNumber(s.logLikelihoodAtSigmaMle, 8)}`,
        ),
        v ? card('gaussian_nll_loss', formatNumber(v.mean, 8), 'gaussian-nll-loss', v.mean, `With the variance column, full=${v.full}, eps=${v.eps}`) : '',
        card('Rows', String(s.n), 'rows', s.n, `${s.outputs} output(s)`),
      ];
    }
    case 'fit': {
      const s = analysis.summary;
      const estimates = Object.entries(s.estimates).map(([name, value]) =>
        card(
          name,
          Array.isArray(value) ? value.map((v) => formatNumber(v, 4)).join(', ') : formatNumber(value as number, 8),
          `estimate-${name}`,
          Array.isArray(value) ? value.length : (value as number),
          `Maximum-likelihood ${name}`,
        ),
      );
      return [
        ...estimates,
        ...likelihoodCards(s, shown, 'Average NLL', 'Cross-entropy between the column and the fitted model'),
        card('Rows', String(s.n), 'rows', s.n, s.dist),
      ];
    }
    case 'eval':
      return evalCards(analysis);
    case 'entropy': {
      const s = analysis.summary;
      return [
        lossCard(
          'Mean entropy H(q)',
          s.entropy,
          s.n,
          shown,
          'entropy',
          'Mean over rows of -sum_c q_c log q_c: no labels, so no likelihood',
          lossErrorBar(s.errorBars.entropy, 'entropy', shown),
        ),
        card(
          'Largest possible',
          formatLoss(s.maxEntropy, unit, 'mean', 8),
          'max-entropy',
          s.maxEntropy,
          `log ${s.classes}, the entropy of the uniform prediction`,
        ),
        card('Perplexity', formatNumber(s.perplexity, 6), 'perplexity', s.perplexity, 'exp(H): as unsure as a uniform choice among this many classes'),
        card('Rows', String(s.n), 'rows', s.n, `${s.classes} classes`),
      ];
    }
  }
}

function summaryView(analysis: Analysis, shown: Shown): HTMLElement {
  if (analysis.task === 'lm') return languageModelCards(analysis, shown.unit, shown.reduction);
  return h('section', { class: 'summary', 'aria-label': 'Summary' }, ...taskCards(analysis, shown));
}

/** What the subtitle says the file was read as. */
function readAs(analysis: Analysis): string {
  switch (analysis.task) {
    case 'categorical':
    case 'binary':
      return `${analysis.task} cross-entropy \u00b7 predictions read as ${analysis.roles.kind}: ${analysis.roles.kindReason}`;
    case 'soft':
      return `soft targets \u00b7 predictions read as ${analysis.roles.kind}: ${analysis.roles.kindReason}`;
    case 'regression':
      return `regression \u00b7 ${analysis.roles.reason}`;
    case 'fit':
      return `${analysis.roles.dist} fit of ${analysis.roles.target} \u00b7 ${analysis.roles.distReason}`;
    case 'eval':
      return evalReadAs(analysis);
    case 'entropy':
      return `entropy of predictions without labels \u00b7 read as ${analysis.roles.kind}: ${analysis.roles.kindReason}`;
    case 'lm':
      return `language model, next-token cross-entropy from ${analysis.roles.predictionKind === 'logits' ? 'logits' : 'per-token log-probabilities'}`;
  }
}

/** What the file holds, counted: rows, or a language model's tokens and sequences. */
function counted(analysis: Analysis): string {
  if (analysis.task !== 'lm') return `${analysis.summary.n} rows`;
  const { tokens, sequences } = analysis.summary;
  return `${tokens.toLocaleString('en-US')} tokens in ${sequences.toLocaleString('en-US')} sequences`;
}

function worstRowsView(analysis: WithRowPlots, unit: InformationUnit): HTMLElement {
  return h(
    'section',
    { class: 'worst', 'aria-label': 'Worst rows' },
    h('h2', {}, `Worst rows \u00b7 loss in ${lossUnit(unit, 'mean')}`),
    h(
      'ol',
      {},
      ...analysis.plots.worstRows.map((worst) => {
        const label = 'label' in worst ? `label ${worst.label}, ` : '';
        const text = `${worst.line !== undefined ? `line ${worst.line}` : `row ${worst.row}`}: ${label}loss ${formatLoss(worst.loss, unit, 'mean')}`;
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
    actionButton(
      'Save PNG',
      'Save this plot as a PNG image',
      () => {
        const png = plot.toPng();
        if (png) post({ type: 'savePlot', name: plot.name, pngDataUrl: png });
      },
      'save-plot',
    ),
  );
  return plot.element;
}

function layoutPlots(): void {
  for (const plot of plots) plot.resize(Math.max(240, plot.element.clientWidth - 8));
}

function stateOf(fileUri: string, options: AnalysisOptions): PanelState {
  return { fileUri, options, ...(Object.keys(view).length > 0 ? { view } : {}) };
}

/**
 * The failed analysis's message and a way back to the file's own roles; the controls stay below,
 * showing the choice that failed, so it can be undone.
 */
function errorBanner(text: string): HTMLElement {
  return h(
    'div',
    { class: 'error-banner', role: 'alert' },
    h('p', { class: 'error', 'data-testid': 'error' }, text),
    current ? h('p', { class: 'stale-note' }, 'The numbers below are from the last analysis that succeeded.') : '',
    actionButton(
      'Reset to what was detected',
      'Analyse the file again with the roles and task detected from it',
      () => {
        showStatus('Recomputing\u2026');
        post({ type: 'setOptions', options: {} });
      },
      'reset-options',
    ),
  );
}

function render(message: Extract<HostMessage, { type: 'analysis' }>): void {
  current = message;
  saveState(stateOf(message.fileUri, message.options));
  for (const plot of plots) plot.destroy();
  const { analysis } = message;
  // While an analysis fails, the controls show the options that failed, over the last good numbers.
  const options = failure?.options ?? message.options;
  const unit = view.unit ?? message.unit ?? 'nats';
  const keepView = (next: PanelView) => {
    view = next;
    saveState(stateOf(message.fileUri, message.options));
    post({ type: 'view', view });
  };
  const reliability = isClassification(analysis) || analysis.task === 'lm' ? reliabilityPlot(analysis) : undefined;
  const rowPlots = analysis.task === 'fit' || analysis.task === 'lm' ? undefined : analysis;
  if (analysis.task !== 'lm') languageModel = undefined;
  const lm = analysis.task === 'lm' ? languageModelView(message.version, analysis) : undefined;
  plots = [
    ...(analysis.task === 'lm'
      ? [lossByPositionPlot(analysis, unit), runningMeanPlot(analysis, unit, 'tokens'), sequencePerplexityPlot(analysis)]
      : analysis.plots.parameterCurves.map((curve) => parameterCurvePlot(curve, unit))),
    ...(rowPlots ? [perSampleLossPlot(rowPlots, unit), runningMeanPlot(rowPlots, unit), histogramPlot(rowPlots, unit)] : []),
    ...(reliability ? [reliability] : []),
  ];
  const changeOptions = (options: AnalysisOptions) => {
    saveState(stateOf(message.fileUri, options));
    showStatus('Recomputing\u2026');
    post({ type: 'setOptions', options });
  };
  const warnings =
    analysis.warnings.length > 0 ? h('ul', { class: 'warnings', 'aria-label': 'Warnings' }, ...analysis.warnings.map((warning) => h('li', {}, warning))) : '';
  app.replaceChildren(
    h(
      'header',
      {},
      h('h1', {}, analysis.file.name),
      h('p', { class: 'subtitle' }, `${analysis.file.format.toUpperCase()} \u00b7 ${counted(analysis)} \u00b7 ${readAs(analysis)}`),
    ),
    failure ? errorBanner(failure.message) : '',
    h('p', { class: 'status', role: 'status' }),
    warnings,
    lmEvalSection(analysis),
    summaryView(analysis, { unit, reduction: view.reduction ?? 'mean' }),
    analysis.task === 'lm' ? alignmentFacts(analysis, unit) : '',
    taskControls(analysis, options, { unit, reduction: view.reduction ?? 'mean' }, changeOptions, (picked) => {
      keepView({ ...view, ...picked });
      render(message);
    }).element,
    analysis.task === 'soft' ? entropySplit(analysis, unit) : '',
    analysis.task === 'regression' ? sigmaExplorer(analysis, unit, view.sigma, (sigma) => keepView({ ...view, sigma })) : '',
    isClassification(analysis) ? classTable(analysis, unit) : '',
    isClassification(analysis) ? sliceTables(analysis, unit) : '',
    isClassification(analysis) ? temperatureExplorer(analysis, unit, view.temperature, (temperature) => keepView({ ...view, temperature })) : '',
    isClassification(analysis) ? roleControls(analysis, options, changeOptions).element : '',
    lm ? lm.tokenView(unit) : '',
    lm ? h('div', { class: 'lm-lists' }, lm.sequences(unit), lm.worstTokens(unit)) : '',
    h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': 'Export' },
      actionButton('Copy derivation (Markdown)', 'Copy every step as Markdown with LaTeX', () => post({ type: 'copy', what: 'markdown' }), 'copy-markdown'),
      actionButton(
        'Copy PyTorch snippet',
        'Copy Python code that reproduces the cross-entropy from this file',
        () => post({ type: 'copy', what: 'python' }),
        'copy-python',
      ),
    ),
    h('section', { class: 'plots', 'aria-label': 'Plots' }, ...plots.map((plot) => withSaveButton(plot))),
    ...analysis.derivations.map((derivation, index) => derivationView(derivation, (stepId) => post({ type: 'copy', what: 'step-latex', stepId }), index === 0)),
    rowPlots ? worstRowsView(rowPlots, unit) : '',
  );
  app.classList.toggle('stale', failure !== undefined);
  layoutPlots();
  if (failure) return;
  const steps = analysis.derivations.reduce((total, derivation) => total + derivation.steps.length, 0);
  post({ type: 'rendered', version: message.version, headline: headline(analysis).value, steps });
}

/** The language model's view of this analysis: the one already shown when the same analysis is drawn again. */
function languageModelView(version: number, analysis: LanguageModelAnalysis): LanguageModelView {
  if (languageModel?.version !== version || languageModel.analysis !== analysis) languageModel = new LanguageModelView(version, analysis, post);
  return languageModel;
}

function showStatus(text: string, fraction?: number): void {
  let status = app.querySelector('.status');
  if (!status) {
    status = h('p', { class: 'status', role: 'status' });
    app.replaceChildren(status);
  }
  status.replaceChildren(text, fraction === undefined ? '' : h('progress', { max: 1, value: fraction, 'aria-label': 'Share of the file read' }));
}

function showError(text: string, options?: AnalysisOptions): void {
  failure = { message: text, ...(options ? { options } : {}) };
  if (current) {
    render(current);
    return;
  }
  showErrorAlone(text);
}

/** The error banner with nothing under it: for a first analysis that failed, or a result that could not be drawn. */
function showErrorAlone(text: string): void {
  for (const plot of plots) plot.destroy();
  plots = [];
  languageModel = undefined;
  app.replaceChildren(errorBanner(text), h('p', { class: 'status', role: 'status' }));
}

window.addEventListener('message', (event: MessageEvent) => {
  const message = parseHostMessage(event.data);
  if (!message) return;
  try {
    receive(message);
  } catch (error) {
    // A panel that fails to draw says so instead of staying on "Reading the file…".
    current = undefined;
    showErrorAlone(`The panel could not show this result: ${error instanceof Error ? error.message : String(error)}`);
  }
});

function receive(message: HostMessage): void {
  if (message.type === 'analysis') {
    failure = undefined;
    render(message);
  } else if (message.type === 'progress') showStatus(message.message, message.fraction);
  else if (message.type === 'sequence' || message.type === 'alternatives') languageModel?.receive(message);
  // A token request's failure belongs beside the token view; only a failed analysis replaces the panel.
  else if (message.request) languageModel?.failed(message.message, message.request);
  else showError(message.message, message.options);
}

followWindow(layoutPlots, () => {
  if (current) render(current);
});

const state = loadState();
if (state) saveState(state);
post({ type: 'ready' });
