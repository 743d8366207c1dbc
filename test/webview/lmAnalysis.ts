/**
 * A language model's analysis as the host would post it, built from the numbers PyTorch gave on
 * test/fixtures/lm/causal_float32.pt (4 sequences x 16 positions, vocabulary 200), the targets
 * stored beside it, and token text from the tokenizer fixtures' decodings.
 */
import type { LanguageModelAnalysis, TokenAlternatives, TokenLoss } from '../../src/analysis/results';
import { defaultAlignment } from '../../src/engine/tokens/alignment';
import { PERPLEXITY_DEFINITIONS } from '../../src/engine/tokens/perplexity';
import { whyLogsDerivation } from '../../src/engine/derivations/whyLogs';
import { readTensorFile } from '../../src/readers/readTensorFile';
import { crossEntropyStdError } from '../../src/engine/meanVariance';
import { CLUSTERED_METHOD, clusteredRatioStandardError, normalErrorBar, perplexityErrorBar, TOKEN_METHOD } from '../../src/engine/uncertainty';
import { fixturePath, readJson } from '../helpers/fixtures';

export interface LmCase {
  file: string;
  shape: [number, number, number];
  crossEntropy: number;
  logLikelihood: number;
  tokens: number;
  sequences: number;
  perplexity: number;
  meanSequencePerplexity: number;
  geometricMeanSequencePerplexity: number;
  bitsPerToken: number;
  accuracy: number;
  meanEntropy: number;
  ece: number;
  calibrationCounts: number[];
  sequenceNll: number[];
  sequenceTokens: number[];
  positionMeanNll: (number | null)[];
  tokenNll: (number | null)[];
  tokenTopProbability: (number | null)[];
  /** Entries ranked strictly above the target (0 for the model's first choice). */
  tokenRank: (number | null)[];
  top5: { position: number; target: number; ids: number[]; probabilities: number[]; targetProbability: number; targetRank: number }[];
  otherAlignmentCrossEntropy: number;
}

export interface LmExpected {
  B: number;
  T: number;
  V: number;
  cases: LmCase[];
  textSize: { bitsPerByte: number; bytePerplexity: number; wordPerplexity: number };
}

export const lmExpected = readJson<LmExpected>(fixturePath('lm', 'expected.json'));
export const lmCase = lmExpected.cases.find((entry) => entry.file === 'causal_float32.pt')!;

const tokenizerCases = readJson<{ cases: { pieces: string[] }[] }>(fixturePath('tokenizer', 'expected.json')).cases;
/** Each sequence reads as one decoding: Llama 3 on English, on leading spaces, on scripts and emoji; WordPiece. A sequence longer than its decoding shows ids past its end. */
const SEQUENCE_PIECES = [0, 2, 4, 15].map((index) => tokenizerCases[index]!.pieces);
/** Any id's text, for the alternatives: every distinct piece of the decodings. */
const PIECES = [...new Set(tokenizerCases.flatMap((entry) => entry.pieces).filter((piece) => piece !== ''))];

export const pieceOf = (id: number): string | undefined => PIECES[id];

function sequenceTokens(labels: ArrayLike<number>, sequence: number): TokenLoss[] {
  const { T } = lmExpected;
  const tokens: TokenLoss[] = [];
  for (let t = 0; t < T; t++) {
    const flat = sequence * T + t;
    const loss = lmCase.tokenNll[flat];
    if (loss === null || loss === undefined) continue;
    const text = SEQUENCE_PIECES[sequence]![tokens.length];
    tokens.push({ position: t, id: labels[flat]!, ...(text !== undefined ? { text } : {}), loss, rank: lmCase.tokenRank[flat]! + 1 });
  }
  return tokens;
}

/** The targets [B, T] the logits were scored against (-100 where nothing is scored). */
export async function lmLabels(): Promise<ArrayLike<number>> {
  const file = await readTensorFile(fixturePath('lm', 'npy_float32', 'labels.npy'));
  return file.tensors[0]!.data;
}

/** The 'sequence' reply for one sequence. */
export function tokenViewOf(labels: ArrayLike<number>, sequence: number): LanguageModelAnalysis['tokenView'] {
  return { sequence, tokens: sequenceTokens(labels, sequence) };
}

/** The 'alternatives' reply at one of the positions PyTorch's top-5 was taken at. */
export function alternativesAt(example: LmCase['top5'][number]): TokenAlternatives {
  const { T } = lmExpected;
  const withText = (id: number) => (pieceOf(id) !== undefined ? { text: pieceOf(id)! } : {});
  return {
    sequence: Math.floor(example.position / T),
    position: example.position % T,
    target: { id: example.target, ...withText(example.target), probability: example.targetProbability, rank: example.targetRank + 1 },
    top: example.ids.map((id, i) => ({ id, ...withText(id), probability: example.probabilities[i]! })),
  };
}

function histogram(values: readonly number[], bins: number): { edges: number[]; counts: number[]; infinite: number } {
  const low = Math.min(...values);
  const high = Math.max(...values);
  const width = (high - low) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => low + i * width);
  const counts = new Array<number>(bins).fill(0);
  for (const value of values) counts[Math.min(bins - 1, Math.floor((value - low) / width))]!++;
  return { edges, counts, infinite: 0 };
}

function runningMean(losses: readonly number[]): LanguageModelAnalysis['plots']['runningMean'] {
  const n: number[] = [];
  const mean: number[] = [];
  const lower: (number | null)[] = [];
  const upper: (number | null)[] = [];
  let sum = 0;
  let squares = 0;
  losses.forEach((loss, i) => {
    sum += loss;
    squares += loss * loss;
    const count = i + 1;
    const m = sum / count;
    n.push(count);
    mean.push(m);
    const sd = count > 1 ? Math.sqrt(Math.max(0, (squares - count * m * m) / (count - 1))) : NaN;
    lower.push(count > 1 ? m - (1.96 * sd) / Math.sqrt(count) : null);
    upper.push(count > 1 ? m + (1.96 * sd) / Math.sqrt(count) : null);
  });
  return { n, mean, lower, upper };
}

export function lmAnalysis(labels: ArrayLike<number>): LanguageModelAnalysis {
  const { B, T, V, textSize } = lmExpected;
  const c = lmCase;
  const scored = c.tokenNll.map((loss, flat) => ({ loss, flat })).filter((entry): entry is { loss: number; flat: number } => entry.loss !== null);
  const losses = scored.map((entry) => entry.loss);
  const log10Likelihood = c.logLikelihood / Math.LN10;
  const exponent = Math.floor(log10Likelihood);
  const tokenStdError = crossEntropyStdError(c.tokenNll.filter((loss): loss is number => loss !== null));
  const clusteredStdError = clusteredRatioStandardError(c.sequenceNll, c.sequenceTokens);
  const views = Array.from({ length: B }, (_, b) => tokenViewOf(labels, b));
  const worstTokens = views
    .flatMap((view) => view.tokens.map((token) => ({ ...token, sequence: view.sequence })))
    .sort((a, b) => b.loss - a.loss)
    .slice(0, 5);
  const bins = c.calibrationCounts.map((count, i) => {
    const inBin = scored.map((entry) => c.tokenTopProbability[entry.flat]!).filter((p) => Math.min(14, Math.floor(p * 15)) === i);
    return {
      lower: i / 15,
      upper: (i + 1) / 15,
      count,
      meanConfidence: count > 0 ? inBin.reduce((s, p) => s + p, 0) / count : null,
      accuracy: count > 0 ? c.accuracy : null,
    };
  });
  return {
    task: 'lm',
    file: { name: c.file, format: 'pt', rows: B * T },
    roles: {
      reason: "'logits' is [4, 16, 200] and 'labels' [4, 16] of token ids",
      columns: ['logits', 'labels'],
      predictions: 'logits',
      predictionKind: 'logits',
      target: 'labels',
      shape: { batch: B, length: T, vocabulary: V },
      shift: false,
      shiftReason: defaultAlignment('labels').reason,
      ignoreIndex: -100,
      tokenizer: 'tokenizer.json (Llama 3)',
    },
    summary: {
      n: c.tokens,
      crossEntropy: c.crossEntropy,
      logLikelihood: c.logLikelihood,
      log10Likelihood,
      likelihoodMantissa: 10 ** (log10Likelihood - exponent),
      likelihoodExponent: exponent,
      tokens: c.tokens,
      sequences: c.sequences,
      perplexity: c.perplexity,
      meanSequencePerplexity: c.meanSequencePerplexity,
      geometricMeanSequencePerplexity: c.geometricMeanSequencePerplexity,
      bitsPerToken: c.bitsPerToken,
      bitsPerByte: textSize.bitsPerByte,
      bytePerplexity: textSize.bytePerplexity,
      wordPerplexity: textSize.wordPerplexity,
      accuracy: c.accuracy,
      meanEntropy: c.meanEntropy,
      expectedCalibrationError: c.ece,
      otherAlignmentCrossEntropy: c.otherAlignmentCrossEntropy,
      crossEntropyStdError: tokenStdError,
      crossEntropyClusteredStdError: clusteredStdError,
      errorBars: {
        crossEntropy: normalErrorBar(c.crossEntropy, tokenStdError, TOKEN_METHOD),
        crossEntropyBySequence: normalErrorBar(c.crossEntropy, clusteredStdError, CLUSTERED_METHOD),
        perplexity: perplexityErrorBar(c.crossEntropy, tokenStdError),
      },
      definitions: PERPLEXITY_DEFINITIONS,
    },
    sequences: c.sequenceNll.map((nll, b) => ({ sequence: b, tokens: c.sequenceTokens[b]!, nll, perplexity: Math.exp(nll / c.sequenceTokens[b]!) })),
    plots: {
      lossByPosition: {
        position: Array.from({ length: T }, (_, t) => t),
        meanLoss: c.positionMeanNll.map((loss) => loss ?? 0),
        count: Array.from({ length: T }, (_, t) => Array.from({ length: B }, (_, b) => c.tokenNll[b * T + t]).filter((loss) => loss !== null).length),
      },
      sequencePerplexityHistogram: histogram(
        c.sequenceNll.map((nll, b) => Math.exp(nll / c.sequenceTokens[b]!)),
        4,
      ),
      runningMean: runningMean(losses),
      reliability: { bins, expectedCalibrationError: c.ece },
      worstTokens,
    },
    tokenView: views[0]!,
    derivations: [whyLogsDerivation(losses.map((loss) => -loss))],
    warnings: [],
  };
}
