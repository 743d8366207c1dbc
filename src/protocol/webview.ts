/**
 * Every message between the extension host and its webviews (the loss panel and the tensor
 * file view). Both sides import this file; both validate what they receive, since a webview is
 * a separate, untrusted page.
 */
import type { TensorFileSummary } from '../analysis/sources/tensorSummary';
import type {
  Analysis,
  AnalysisOptions,
  ClassFigures,
  SliceFigures,
  SliceTable,
  ClassificationAnalysis,
  Comparison,
  ComparisonDetail,
  ErrorBar,
  EvalAnalysis,
  LanguageModelAnalysis,
  LmEvalChoiceDocument,
  LmEvalSummary,
  SequenceLoss,
  TokenAlternatives,
  TokenLoss,
  ParameterCurve,
  RegressionAnalysis,
  RowLossPlots,
  SoftAnalysis,
  SummaryBase,
} from '../analysis/results';
import { FIT_FAMILIES, TASKS, type FitFamily, type Task } from '../roles/vocabulary';
import type { PredictionKind } from '../engine/categorical';
import type { Derivation, DerivationStep, IdentityCheck } from '../engine/derivation';
import type { Reduction } from '../engine/reduction';
import type { InformationUnit } from '../engine/units';

// The webview imports nothing but this file: the types of what it is sent, and the few pure
// helpers that must format numbers exactly as the host and the CLI do.
export type {
  Analysis,
  AnalysisOptions,
  ClassificationAnalysis,
  Comparison,
  ComparisonDetail,
  EvalAnalysis,
  LanguageModelAnalysis,
  LmEvalChoiceDocument,
  LmEvalSummary,
  SequenceLoss,
  TokenAlternatives,
  TokenLoss,
  Derivation,
  DerivationStep,
  ClassFigures,
  SliceFigures,
  SliceTable,
  ErrorBar,
  FitFamily,
  IdentityCheck,
  InformationUnit,
  ParameterCurve,
  PredictionKind,
  Reduction,
  RegressionAnalysis,
  RowLossPlots,
  SoftAnalysis,
  SummaryBase,
  Task,
  TensorFileSummary,
};
export { FIT_FAMILIES, TASKS };
export { headline, isClassification } from '../analysis/results';
export { plainNumber } from '../engine/format';
export { convertNats, unitSymbol } from '../engine/units';

/** Saved by the webview with setState and handed back on restore. */
export interface PanelState {
  readonly fileUri: string;
  readonly options: AnalysisOptions;
  /** What the panel shows without a new pass: the unit picked and where the sliders are. */
  readonly view?: PanelView;
}

export interface PanelView {
  readonly unit?: InformationUnit;
  /** Losses shown as the mean over rows or their sum. */
  readonly reduction?: 'mean' | 'sum';
  readonly sigma?: number;
  readonly temperature?: number;
}

// ---- host -> webview -------------------------------------------------------

export type HostMessage =
  /** `unit`: what losses are shown in (the likelihoodLens.logBase setting); nats when absent. The analysis itself is always in nats. */
  | {
      readonly type: 'analysis';
      readonly version: number;
      readonly fileUri: string;
      readonly analysis: Analysis;
      readonly options: AnalysisOptions;
      readonly unit?: InformationUnit;
    }
  | { readonly type: 'progress'; readonly message: string; readonly fraction?: number }
  /**
   * `request`: the error of a showSequence or tokenAlternatives request, shown beside the token view (the panel stays); absent, the analysis failed.
   * `options`: what the failed analysis was asked with, so the panel's controls show the choice that failed.
   */
  | { readonly type: 'error'; readonly message: string; readonly request?: TokenRequest; readonly options?: AnalysisOptions }
  /** A language model's token view of another sequence, as asked for with showSequence. */
  | { readonly type: 'sequence'; readonly version: number; readonly tokenView: LanguageModelAnalysis['tokenView'] }
  /** The model's top tokens at one position, as asked for with tokenAlternatives. */
  | { readonly type: 'alternatives'; readonly version: number; readonly alternatives: TokenAlternatives };

// ---- webview -> host -------------------------------------------------------

export type WebviewMessage =
  | { readonly type: 'ready' }
  /** The page's script could not be fetched: the host sets the page again. */
  | { readonly type: 'loadFailed' }
  | { readonly type: 'setOptions'; readonly options: AnalysisOptions }
  | { readonly type: 'revealRow'; readonly line: number }
  /** Copy to the clipboard: one step's LaTeX, the derivation as Markdown, or a Python snippet reproducing the number. */
  | { readonly type: 'copy'; readonly what: CopyTarget; readonly stepId?: string }
  /** Save a plot the user asked for as a PNG (a data: URL of the canvas). */
  | { readonly type: 'savePlot'; readonly name: string; readonly pngDataUrl: string }
  /** What the panel now shows, so the host (and its tests) know the render finished. */
  /** `headline`: the number the panel shows as the file's headline (headline(analysis).value), in nats. */
  | { readonly type: 'rendered'; readonly version: number; readonly headline: number; readonly steps: number }
  /** A language model's file: show this sequence in the token view. */
  | { readonly type: 'showSequence'; readonly sequence: number }
  /** A language model's file: the model's top tokens at this position (the token view's hover). */
  | { readonly type: 'tokenAlternatives'; readonly sequence: number; readonly position: number }
  /** The unit, reduction or a slider changed: the host keeps the view per file, for the next time the panel opens. */
  | { readonly type: 'view'; readonly view: PanelView };

export type CopyTarget = 'step-latex' | 'markdown' | 'python';
export type TokenRequest = 'sequence' | 'alternatives';

const KINDS: readonly PredictionKind[] = ['probs', 'logits', 'logprobs'];
const UNITS: readonly InformationUnit[] = ['nats', 'bits', 'digits'];
const COPY_TARGETS: readonly CopyTarget[] = ['step-latex', 'markdown', 'python'];
/** Positions a token view may hold: a sequence of the longest context windows in use. */
const MAX_VIEW_TOKENS = 1 << 20;
/** A PNG of a plot is well under this; anything larger is not one of ours. */
const MAX_PNG_DATA_URL = 20 * 2 ** 20;
/**
 * A plot's PNG as a data: URL: the prefix, then base64 whose first eleven characters are those of
 * PNG's eight-byte signature (89 50 4E 47 0D 0A 1A 0A), so the host writes nothing but a PNG.
 */
export const PNG_DATA_URL_PREFIX = 'data:image/png;base64,';
const PNG_SIGNATURE_BASE64 = 'iVBORw0KGgo';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown, max = 1000): value is string => typeof value === 'string' && value.length <= max;
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.length <= 10000 && value.every((item) => isString(item));
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

export function parseOptions(value: unknown): AnalysisOptions | undefined {
  if (!isObject(value)) return undefined;
  const { target, predictions, kind, task, dist, sigma, shift } = value;
  if (target !== undefined && !isString(target)) return undefined;
  if (predictions !== undefined && !isStringArray(predictions)) return undefined;
  if (kind !== undefined && !KINDS.includes(kind as PredictionKind)) return undefined;
  if (task !== undefined && !TASKS.includes(task as Task)) return undefined;
  if (dist !== undefined && !FIT_FAMILIES.includes(dist as FitFamily)) return undefined;
  if (sigma !== undefined && !(isFiniteNumber(sigma) && sigma > 0)) return undefined;
  if (shift !== undefined && typeof shift !== 'boolean') return undefined;
  return {
    ...(target !== undefined ? { target } : {}),
    ...(predictions !== undefined ? { predictions } : {}),
    ...(kind !== undefined ? { kind: kind as PredictionKind } : {}),
    ...(task !== undefined ? { task: task as Task } : {}),
    ...(dist !== undefined ? { dist: dist as FitFamily } : {}),
    ...(sigma !== undefined ? { sigma } : {}),
    ...(shift !== undefined ? { shift } : {}),
  };
}

/** The host's gate: anything that is not exactly one of the webview's messages is dropped. */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'ready':
    case 'loadFailed':
      return { type: value.type };
    case 'setOptions': {
      const options = parseOptions(value.options);
      return options ? { type: 'setOptions', options } : undefined;
    }
    case 'revealRow':
      return Number.isInteger(value.line) && (value.line as number) >= 1 ? { type: 'revealRow', line: value.line as number } : undefined;
    case 'copy':
      if (!COPY_TARGETS.includes(value.what as CopyTarget)) return undefined;
      if (value.stepId !== undefined && !isString(value.stepId, 100)) return undefined;
      return { type: 'copy', what: value.what as CopyTarget, ...(value.stepId !== undefined ? { stepId: value.stepId as string } : {}) };
    case 'savePlot':
      return isString(value.name, 100) &&
        /^[\w .-]+$/.test(value.name) &&
        isString(value.pngDataUrl, MAX_PNG_DATA_URL) &&
        value.pngDataUrl.startsWith(PNG_DATA_URL_PREFIX + PNG_SIGNATURE_BASE64) &&
        /^[A-Za-z0-9+/]*={0,2}$/.test(value.pngDataUrl.slice(PNG_DATA_URL_PREFIX.length))
        ? { type: 'savePlot', name: value.name, pngDataUrl: value.pngDataUrl }
        : undefined;
    case 'rendered':
      return Number.isInteger(value.version) && isFiniteNumber(value.steps) && typeof value.headline === 'number'
        ? { type: 'rendered', version: value.version as number, headline: value.headline, steps: value.steps }
        : undefined;
    case 'showSequence':
      return isIndex(value.sequence) ? { type: 'showSequence', sequence: value.sequence } : undefined;
    case 'tokenAlternatives':
      return isIndex(value.sequence) && isIndex(value.position) ? { type: 'tokenAlternatives', sequence: value.sequence, position: value.position } : undefined;
    case 'view':
      return isObject(value.view) ? { type: 'view', view: parsePanelView(value.view) } : undefined;
    default:
      return undefined;
  }
}

const isNumber = (value: unknown): value is number => typeof value === 'number';
const isIndex = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** The task-specific numbers the panel shows are there, with the types it reads them as. */
function hasTaskSummary(task: Task, summary: Json): boolean {
  switch (task) {
    case 'categorical':
    case 'binary':
      return isNumber(summary.accuracy) && isNumber(summary.perplexity) && isFiniteNumber(summary.classes);
    case 'soft':
      return (
        isNumber(summary.entropy) &&
        isNumber(summary.kl) &&
        isObject(summary.identity) &&
        isFiniteNumber(summary.classes) &&
        isObject(summary.byClass) &&
        Array.isArray(summary.byClass.entropy) &&
        Array.isArray(summary.byClass.kl)
      );
    case 'regression':
      return (
        isNumber(summary.mse) &&
        isNumber(summary.gaussianNll) &&
        isNumber(summary.sigmaMle) &&
        isFiniteNumber(summary.sigma) &&
        (summary.predictedVariance === undefined || isObject(summary.predictedVariance))
      );
    case 'fit':
      return FIT_FAMILIES.includes(summary.dist as FitFamily) && isObject(summary.estimates);
    case 'entropy':
      return isNumber(summary.entropy) && isNumber(summary.maxEntropy) && isNumber(summary.perplexity) && isFiniteNumber(summary.classes);
    case 'lm':
      return (
        isFiniteNumber(summary.tokens) &&
        isFiniteNumber(summary.sequences) &&
        isNumber(summary.perplexity) &&
        isNumber(summary.meanSequencePerplexity) &&
        isObject(summary.definitions)
      );
  }
}

/** A sequence's token view as the host sends it. */
function isTokenView(value: unknown): boolean {
  return (
    isObject(value) &&
    isFiniteNumber(value.sequence) &&
    Array.isArray(value.tokens) &&
    value.tokens.length <= MAX_VIEW_TOKENS &&
    value.tokens.every(
      (token) =>
        isObject(token) &&
        isFiniteNumber(token.position) &&
        isFiniteNumber(token.id) &&
        isNumber(token.loss) &&
        isFiniteNumber(token.rank) &&
        (token.text === undefined || isString(token.text, 10000)),
    )
  );
}

/** An analysis the panel can render: a known task, its summary's shape and the plots it draws. */
export function isAnalysis(value: unknown): value is Analysis {
  if (isObject(value) && value.lmEval !== undefined && !isLmEvalSummary(value.lmEval)) return false;
  if (isObject(value) && value.task === 'eval') return isEvalAnalysis(value);
  if (!isObject(value) || !TASKS.includes(value.task as Task)) return false;
  const { summary, plots, roles, file } = value;
  if (!isObject(summary) || !isObject(plots) || !isObject(roles) || !isObject(file) || !isString(file.name, 10000)) return false;
  if (!isFiniteNumber(summary.n)) return false;
  // Every task but the entropy of unlabelled predictions has a likelihood.
  if (value.task !== 'entropy' && (!isNumber(summary.crossEntropy) || !isNumber(summary.logLikelihood) || !isNumber(summary.log10Likelihood))) return false;
  if (!Array.isArray(value.derivations) || !Array.isArray(value.warnings)) return false;
  if (value.task === 'lm')
    return (
      hasTaskSummary('lm', summary) &&
      Array.isArray(value.sequences) &&
      isObject(plots.lossByPosition) &&
      isObject(plots.runningMean) &&
      Array.isArray(plots.worstTokens) &&
      isTokenView(value.tokenView)
    );
  if (!Array.isArray(plots.parameterCurves)) return false;
  const rowPlots =
    value.task === 'fit' || (isObject(plots.perSampleLoss) && isObject(plots.runningMean) && isObject(plots.histogram) && Array.isArray(plots.worstRows));
  return rowPlots && hasTaskSummary(value.task as Task, summary);
}

/** An lm-eval summary has the lists and numbers the panel walks. */
function isLmEvalSummary(value: unknown): boolean {
  if (!isObject(value) || !isString(value.task, 10000) || !isString(value.outputType, 100) || !isFiniteNumber(value.documents)) return false;
  if (!Array.isArray(value.metrics) || !Array.isArray(value.documentList)) return false;
  const documents = value.choiceDocuments;
  if (
    documents !== undefined &&
    !(
      Array.isArray(documents) &&
      documents.every(
        (doc) =>
          isObject(doc) &&
          isFiniteNumber(doc.docId) &&
          Array.isArray(doc.choices) &&
          Array.isArray(doc.logLikelihoods) &&
          Array.isArray(doc.probabilities) &&
          isFiniteNumber(doc.argmax),
      )
    )
  )
    return false;
  return value.metrics.every((metric) => isObject(metric) && isString(metric.name, 1000) && isNumber(metric.value) && Array.isArray(metric.differingDocuments));
}

/** A rolling or generation task of an lm-eval samples file: its summary, row plots and lm-eval summary. */
function isEvalAnalysis(value: Json): boolean {
  const { summary, plots, file } = value;
  if (
    !isObject(summary) ||
    !isObject(plots) ||
    !isObject(file) ||
    !isString(file.name, 10000) ||
    !isFiniteNumber(summary.n) ||
    typeof summary.hasLikelihood !== 'boolean'
  )
    return false;
  if (
    !isNumber(summary.crossEntropy) ||
    !isNumber(summary.logLikelihood) ||
    !Array.isArray(value.derivations) ||
    !Array.isArray(value.warnings) ||
    !Array.isArray(plots.parameterCurves)
  )
    return false;
  return (
    isObject(plots.perSampleLoss) && isObject(plots.runningMean) && isObject(plots.histogram) && Array.isArray(plots.worstRows) && isLmEvalSummary(value.lmEval)
  );
}

/** The webview's gate on what the host sends. */
export function parseHostMessage(value: unknown): HostMessage | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'analysis':
      return Number.isInteger(value.version) &&
        isString(value.fileUri, 10000) &&
        isAnalysis(value.analysis) &&
        isObject(value.options) &&
        (value.unit === undefined || UNITS.includes(value.unit as InformationUnit))
        ? (value as unknown as HostMessage)
        : undefined;
    case 'progress':
      return isString(value.message) && (value.fraction === undefined || isFiniteNumber(value.fraction)) ? (value as unknown as HostMessage) : undefined;
    case 'error': {
      if (!isString(value.message, 10000)) return undefined;
      if (value.request === 'sequence' || value.request === 'alternatives') return { type: 'error', message: value.message, request: value.request };
      const options = value.options === undefined ? undefined : parseOptions(value.options);
      return options ? { type: 'error', message: value.message, options } : { type: 'error', message: value.message };
    }
    case 'sequence':
      return Number.isInteger(value.version) && isTokenView(value.tokenView) ? (value as unknown as HostMessage) : undefined;
    case 'alternatives':
      return Number.isInteger(value.version) && isAlternatives(value.alternatives) ? (value as unknown as HostMessage) : undefined;
    default:
      return undefined;
  }
}

function isAlternatives(value: unknown): boolean {
  if (
    !isObject(value) ||
    !isFiniteNumber(value.sequence) ||
    !isFiniteNumber(value.position) ||
    !isObject(value.target) ||
    !Array.isArray(value.top) ||
    value.top.length > 100
  )
    return false;
  const isToken = (token: unknown) =>
    isObject(token) && isFiniteNumber(token.id) && isNumber(token.probability) && (token.text === undefined || isString(token.text, 10000));
  return isToken(value.target) && value.top.every(isToken);
}

export function parsePanelState(value: unknown): PanelState | undefined {
  if (!isObject(value) || !isString(value.fileUri, 10000)) return undefined;
  const view = isObject(value.view) ? parsePanelView(value.view) : undefined;
  return { fileUri: value.fileUri, options: parseOptions(value.options) ?? {}, ...(view ? { view } : {}) };
}

/** Keeps only the view settings that make sense; anything else is dropped, not trusted. */
export function parsePanelView(value: unknown): PanelView {
  if (!isObject(value)) return {};
  const positive = (x: unknown): x is number => isFiniteNumber(x) && x > 0;
  return {
    ...(UNITS.includes(value.unit as InformationUnit) ? { unit: value.unit as InformationUnit } : {}),
    ...(value.reduction === 'mean' || value.reduction === 'sum' ? { reduction: value.reduction } : {}),
    ...(positive(value.sigma) ? { sigma: value.sigma } : {}),
    ...(positive(value.temperature) ? { temperature: value.temperature } : {}),
  };
}

// ---- tensor file view ------------------------------------------------------

export type TensorViewHostMessage =
  { readonly type: 'tensors'; readonly summary: TensorFileSummary; readonly analysable: boolean } | { readonly type: 'error'; readonly message: string };

export type TensorViewMessage =
  { readonly type: 'ready' } | { readonly type: 'loadFailed' } | { readonly type: 'openLossPanel' } | { readonly type: 'reopenWithDefault' };

export function parseTensorViewMessage(value: unknown): TensorViewMessage | undefined {
  if (!isObject(value)) return undefined;
  return value.type === 'ready' || value.type === 'loadFailed' || value.type === 'openLossPanel' || value.type === 'reopenWithDefault'
    ? { type: value.type }
    : undefined;
}

export function parseTensorViewHostMessage(value: unknown): TensorViewHostMessage | undefined {
  if (!isObject(value)) return undefined;
  if (value.type === 'tensors')
    return isObject(value.summary) && Array.isArray(value.summary.tensors) && typeof value.analysable === 'boolean'
      ? (value as unknown as TensorViewHostMessage)
      : undefined;
  if (value.type === 'error') return isString(value.message, 10000) ? { type: 'error', message: value.message } : undefined;
  return undefined;
}

// ---- comparison panel ------------------------------------------------------

/** The comparison panel's files, kept by its webview. */
export interface ComparisonPanelState {
  readonly fileUriA: string;
  readonly fileUriB: string;
}

export type ComparisonHostMessage =
  | { readonly type: 'comparison'; readonly version: number; readonly detail: ComparisonDetail }
  | { readonly type: 'progress'; readonly message: string; readonly fraction?: number }
  /** The comparison failed (labels that differ, a row missing, a file unreadable): one line, shown in place. */
  | { readonly type: 'error'; readonly version: number; readonly message: string };

export type ComparisonViewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'loadFailed' }
  /** Show row `row` (0-based, as the figures number rows) of both files, side by side. */
  | { readonly type: 'revealRow'; readonly row: number }
  /** Copy one derivation step's LaTeX to the clipboard. */
  | { readonly type: 'copy'; readonly stepId: string }
  /** `difference`: the CE_A - CE_B the panel shows, in nats; `steps`: the derivation's steps it set. */
  | { readonly type: 'rendered'; readonly version: number; readonly difference: number; readonly steps: number };

export function parseComparisonViewMessage(value: unknown): ComparisonViewMessage | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'ready':
    case 'loadFailed':
      return { type: value.type };
    case 'revealRow':
      return isIndex(value.row) ? { type: 'revealRow', row: value.row } : undefined;
    case 'copy':
      return isString(value.stepId, 100) ? { type: 'copy', stepId: value.stepId } : undefined;
    case 'rendered':
      return Number.isInteger(value.version) && typeof value.difference === 'number' && isIndex(value.steps)
        ? { type: 'rendered', version: value.version as number, difference: value.difference, steps: value.steps }
        : undefined;
    default:
      return undefined;
  }
}

const isSeries = (value: unknown, max: number): value is unknown[] => Array.isArray(value) && value.length <= max;
const isNullableNumbers = (value: unknown, max: number): boolean => isSeries(value, max) && value.every((v) => v === null || isNumber(v));

/** A comparison the panel can render: its figures, a derivation, and plots of bounded size. */
export function isComparisonDetail(value: unknown): value is ComparisonDetail {
  if (!isObject(value) || !isObject(value.comparison) || !isObject(value.derivation) || !isObject(value.plots)) return false;
  const c = value.comparison;
  const figures = ['n', 'crossEntropyA', 'crossEntropyB', 'crossEntropyDifference', 'logLikelihoodRatio', 'differenceStdError', 'winsA', 'winsB', 'ties'];
  if (!isString(c.fileA, 10000) || !isString(c.fileB, 10000) || !figures.every((key) => isNumber(c[key]))) return false;
  const interval = (i: unknown) => isObject(i) && isNumber(i.lower) && isNumber(i.upper);
  if (!interval(c.normalInterval95) || !interval(c.bootstrapInterval95) || !isObject(c.largestDifferences) || !isStringArray(c.warnings)) return false;
  const rows = (list: unknown) => isSeries(list, 1000) && list.every((r) => isObject(r) && isIndex(r.row) && isNumber(r.lossA) && isNumber(r.lossB));
  if (!rows(c.largestDifferences.aWorse) || !rows(c.largestDifferences.bWorse)) return false;
  if (!Array.isArray(value.derivation.steps)) return false;
  const { scatter, histogram, runningMean } = value.plots;
  const MAX_POINTS = 100_000;
  return (
    isObject(scatter) &&
    isSeries(scatter.rows, MAX_POINTS) &&
    isNullableNumbers(scatter.lossA, MAX_POINTS) &&
    isNullableNumbers(scatter.lossB, MAX_POINTS) &&
    isObject(histogram) &&
    isNullableNumbers(histogram.edges, MAX_POINTS) &&
    isNullableNumbers(histogram.counts, MAX_POINTS) &&
    isObject(runningMean) &&
    ['n', 'mean', 'lower', 'upper'].every((key) => isNullableNumbers(runningMean[key], MAX_POINTS))
  );
}

/** The comparison webview's gate on what the host sends. */
export function parseComparisonHostMessage(value: unknown): ComparisonHostMessage | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'comparison':
      return Number.isInteger(value.version) && isComparisonDetail(value.detail)
        ? { type: 'comparison', version: value.version as number, detail: value.detail }
        : undefined;
    case 'progress':
      return isString(value.message) && (value.fraction === undefined || isFiniteNumber(value.fraction))
        ? { type: 'progress', message: value.message, ...(value.fraction !== undefined ? { fraction: value.fraction } : {}) }
        : undefined;
    case 'error':
      return Number.isInteger(value.version) && isString(value.message, 10000)
        ? { type: 'error', version: value.version as number, message: value.message }
        : undefined;
    default:
      return undefined;
  }
}

export function parseComparisonPanelState(value: unknown): ComparisonPanelState | undefined {
  return isObject(value) && isString(value.fileUriA, 10000) && isString(value.fileUriB, 10000)
    ? { fileUriA: value.fileUriA, fileUriB: value.fileUriB }
    : undefined;
}
