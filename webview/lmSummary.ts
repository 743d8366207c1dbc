/**
 * A language model's figures, each with its definition beside it (libraries disagree on what
 * "perplexity" means), and the alignment and tokenizer in words.
 */
import { convertNats, unitSymbol, type InformationUnit, type LanguageModelAnalysis, type Reduction } from '../src/protocol/webview';
import { h } from './dom';
import { errorBarLine, noiseFloorLine, percentErrorBar, plainErrorBar } from './errorBars';
import { formatInUnit, formatNumber } from './format';

type Summary = LanguageModelAnalysis['summary'];
type FigureName = Exclude<
  keyof Summary,
  | 'definitions'
  | 'n'
  | 'log10Likelihood'
  | 'likelihoodMantissa'
  | 'likelihoodExponent'
  | 'otherAlignmentCrossEntropy'
  | 'crossEntropyStdError'
  | 'crossEntropyClusteredStdError'
  | 'errorBars'
  | 'calibrationNoiseFloor'
>;

/** Said when the analysis does not define a figure itself. */
const FALLBACK_DEFINITIONS: Readonly<Record<FigureName, string>> = {
  crossEntropy: 'Mean negative log-likelihood per scored token: F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-100).',
  logLikelihood: 'Sum of log p(token) over the scored tokens.',
  perplexity: 'exp(cross-entropy): the exponential of the mean NLL over all scored tokens of all sequences (torchmetrics Perplexity).',
  meanSequencePerplexity: 'Mean over sequences of exp(mean NLL of the sequence) (Hugging Face evaluate, "mean_perplexity").',
  geometricMeanSequencePerplexity: 'exp(mean over sequences of the mean NLL of the sequence): every sequence weighs the same.',
  bitsPerToken: 'Cross-entropy / ln 2: mean bits per scored token.',
  bitsPerByte: '-sum log p / (UTF-8 bytes x ln 2) (lm-evaluation-harness bits_per_byte).',
  bytePerplexity: 'exp(-sum log p / UTF-8 bytes) (lm-evaluation-harness byte_perplexity).',
  wordPerplexity: 'exp(-sum log p / words), words = len(re.split(r"\\s+", text)) (lm-evaluation-harness word_perplexity).',
  tokens: 'Scored tokens: positions whose target is not the ignore index and not masked out.',
  sequences: 'Sequences with at least one scored token.',
  accuracy: 'Share of scored tokens the model ranks first (argmax of the logits equals the target).',
  meanEntropy: 'Mean over scored tokens of the entropy of the predicted distribution, -sum_v p_v log p_v.',
  expectedCalibrationError:
    'Expected calibration error of the top-1 probability: 15 equal-width bins, |accuracy - confidence| weighted by the share of tokens in each bin (torchmetrics).',
};

const SUM_DEFINITION = 'Sum over scored tokens of -log p(token): -log L, the loss with reduction="sum".';

/** One figure: its name, the number, and what the number is. */
function figureCard(label: string, value: string, testId: string, raw: number, definition: string, ...errorBars: (HTMLElement | string)[]): HTMLElement {
  return h(
    'div',
    { class: 'card lm-card', 'data-figure': testId },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value', 'data-testid': testId, 'data-value': String(raw) }, value),
    ...errorBars,
    h('p', { class: 'card-definition', 'data-testid': `${testId}-definition` }, definition),
  );
}

const percent = (share: number) => `${formatNumber(100 * share, 4)}%`;

/** The figures the analysis has, in the order a reader compares them with other libraries' numbers. */
export function languageModelCards(analysis: LanguageModelAnalysis, unit: InformationUnit, reduction: Reduction): HTMLElement {
  const s = analysis.summary;
  const define = (name: FigureName) => s.definitions[name] ?? FALLBACK_DEFINITIONS[name];
  const optional = (name: FigureName, label: string, testId: string, format: (value: number) => string, ...errorBars: (HTMLElement | string)[]) => {
    const value = s[name];
    return typeof value === 'number' ? figureCard(label, format(value), testId, value, define(name), ...errorBars) : '';
  };
  const lossBar = (name: string, testId: string, prefix = '') =>
    errorBarLine(s.errorBars[name], testId, (value, digits) => formatNumber(convertNats(value, unit), digits), prefix);
  return h(
    'section',
    { class: 'summary lm-summary', 'aria-label': 'Summary' },
    reduction === 'sum'
      ? figureCard('Cross-entropy \u00b7 sum over tokens', formatInUnit(-s.logLikelihood, unit, 8), 'cross-entropy', -s.logLikelihood, SUM_DEFINITION)
      : figureCard(
          'Cross-entropy per token',
          `${formatInUnit(s.crossEntropy, unit, 8)} per token`,
          'cross-entropy',
          s.crossEntropy,
          define('crossEntropy'),
          lossBar('crossEntropy', 'cross-entropy'),
          lossBar('crossEntropyBySequence', 'cross-entropy-sequences', 'by sequence: '),
        ),
    figureCard(
      'Perplexity (per token)',
      formatNumber(s.perplexity, 6),
      'perplexity',
      s.perplexity,
      define('perplexity'),
      plainErrorBar(s.errorBars.perplexity, 'perplexity'),
    ),
    figureCard(
      'Mean sequence perplexity',
      formatNumber(s.meanSequencePerplexity, 6),
      'mean-sequence-perplexity',
      s.meanSequencePerplexity,
      define('meanSequencePerplexity'),
    ),
    figureCard(
      'Geometric mean sequence perplexity',
      formatNumber(s.geometricMeanSequencePerplexity, 6),
      'geometric-mean-sequence-perplexity',
      s.geometricMeanSequencePerplexity,
      define('geometricMeanSequencePerplexity'),
    ),
    figureCard('Bits per token', `${formatNumber(s.bitsPerToken, 6)} bits`, 'bits-per-token', s.bitsPerToken, define('bitsPerToken')),
    optional('bitsPerByte', 'Bits per byte', 'bits-per-byte', (value) => `${formatNumber(value, 6)} bits`),
    optional('bytePerplexity', 'Byte perplexity', 'byte-perplexity', (value) => formatNumber(value, 6)),
    optional('wordPerplexity', 'Word perplexity', 'word-perplexity', (value) => formatNumber(value, 6)),
    figureCard('Log-likelihood', formatInUnit(s.logLikelihood, unit, 10), 'log-likelihood', s.logLikelihood, define('logLikelihood')),
    figureCard('Tokens scored', s.tokens.toLocaleString('en-US'), 'tokens', s.tokens, define('tokens')),
    figureCard('Sequences', s.sequences.toLocaleString('en-US'), 'sequences', s.sequences, define('sequences')),
    optional('accuracy', 'Top-1 accuracy', 'accuracy', percent, percentErrorBar(s.errorBars.accuracy, 'accuracy')),
    optional('meanEntropy', 'Mean entropy of the predictions', 'mean-entropy', (value) => `${formatInUnit(value, unit, 6)} per token`),
    optional(
      'expectedCalibrationError',
      'Calibration error (ECE, 15 bins)',
      'ece',
      (value) => formatNumber(value, 4),
      plainErrorBar(s.errorBars.expectedCalibrationError, 'ece'),
      noiseFloorLine(s.calibrationNoiseFloor),
    ),
  );
}

function shapeText(shape: LanguageModelAnalysis['roles']['shape']): string {
  return `[${[shape.batch, shape.length, ...(shape.vocabulary !== undefined ? [shape.vocabulary] : [])].join(', ')}]`;
}

/** What was scored against what, how the two were aligned and why, and where the token text comes from. */
export function alignmentFacts(analysis: LanguageModelAnalysis, unit: InformationUnit): HTMLElement {
  const r = analysis.roles;
  const other = analysis.summary.otherAlignmentCrossEntropy;
  const scored =
    r.predictionKind === 'logits'
      ? `Logits ${shapeText(r.shape)} (sequences, positions, vocabulary) from '${r.predictions}', against the token ids in '${r.target}'.`
      : `Per-token log-probabilities ${shapeText(r.shape)} (sequences, positions) from '${r.predictions}', for the token ids in '${r.target}'.`;
  const alignment = r.shift
    ? 'Shifted: the logits at position t score the token at t + 1, i.e. logits[:, :-1] against targets[:, 1:], as a Hugging Face causal LM computes its own loss.'
    : 'Not shifted: the logits at position t score the target at t, i.e. F.cross_entropy(logits.view(-1, V), targets.view(-1)).';
  const fact = (term: string, testId: string, ...text: (string | Node)[]) => [h('dt', {}, term), h('dd', { 'data-testid': testId }, ...text)];
  return h(
    'section',
    { class: 'lm-facts', 'aria-label': 'How the tokens were scored' },
    h(
      'dl',
      { class: 'metadata' },
      ...fact('Scored', 'scored', scored),
      ...fact('Alignment', 'alignment', `${alignment} Why: ${r.shiftReason}`),
      ...fact('Left out', 'left-out', `Targets equal to ${r.ignoreIndex}${r.mask ? `, and positions where '${r.mask}' is 0` : ''}.`),
      ...(other !== undefined && Number.isFinite(other)
        ? fact(
            'Other alignment',
            'other-alignment',
            `${r.shift ? 'Not shifted' : 'Shifted'}, the cross-entropy would be ${formatInUnit(other, unit, 6)} per token (${formatNumber(convertNats(other - analysis.summary.crossEntropy, unit), 3)} ${unitSymbol(unit)} ${other >= analysis.summary.crossEntropy ? 'more' : 'less'}).`,
          )
        : []),
      ...fact('Tokenizer', 'tokenizer', r.tokenizer ? `Token text decoded with ${r.tokenizer}.` : 'No tokenizer.json was found, so tokens are shown by id.'),
    ),
  );
}
