import { CompensatedSum } from '../../../engine/compensatedSum';
import { languageModelDerivation } from '../../../engine/derivations/languageModel';
import { LossSketch } from '../../../engine/lossSketch';
import { LN10, scientificFromLog } from '../../../engine/logSpace';
import type { IndexedSumsData } from '../../../engine/tokens/indexedSums';
import { NO_TARGET, offByOneWarning } from '../../../engine/tokens/alignment';
import { PERPLEXITY_DEFINITIONS, tokenPerplexities, type Perplexities } from '../../../engine/tokens/perplexity';
import { TokenError, tokenPlace } from '../../../engine/tokens/tokenError';
import { DataFileError, quoteName } from '../../../readers/errors';
import { decodeTokens } from '../../../readers/tokenizer/decodeTokens';
import type { TokenizerDefinition } from '../../../readers/tokenizer/tokenizerJson';
import type { LanguageModelRoles } from '../../../roles/chosenRoles';
import type { AnalysisOptions, LanguageModelAnalysis, PartialResult, SequenceLoss } from '../../results';
import { MAX_LISTED_SEQUENCES, MAX_POSITION_POINTS } from '../../sizes';
import { CLUSTERED_METHOD, clusteredRatioStandardError, normalErrorBar, TOKEN_METHOD } from '../../../engine/uncertainty';
import { accuracyErrorBar, calibrationErrorBars, meanLossErrorBars } from '../../rows/errorBars';
import type { ScoringPool } from '../../threads/scoringPool';
import { LanguageModelPass, type SequenceTokens } from './pass';
import { scoredBlocksOnThreads } from './scoredBlocks';
import { tokenRows, type LanguageModelTensors } from './tokenRows';

/** A tokenizer.json read for a file, and where it was. */
export interface LoadedTokenizer {
  readonly definition: TokenizerDefinition;
  readonly path: string;
}

/** A language model's file, its roles chosen: what the analysis reads. */
export interface LanguageModelInput {
  readonly tensors: LanguageModelTensors;
  readonly format: string;
  readonly roles: LanguageModelRoles;
  /** Tensors the user can pick from. */
  readonly choices: readonly string[];
  readonly readerWarnings?: readonly string[];
  readonly tokenizer?: LoadedTokenizer;
  /** Why a tokenizer.json beside the file was not used. */
  readonly tokenizerWarning?: string;
}

/** Progress, the numbers so far, and cancellation, between blocks (the sources' StreamOptions). */
export interface LanguageModelStream {
  readonly onProgress?: (fraction: number) => void;
  readonly onPartial?: (partial: PartialResult) => void;
  readonly signal?: AbortSignal;
  /** Threads to score logits on, block by block; per-token log-probabilities are cheap and stay on this thread. */
  readonly pool?: ScoringPool;
}

/** What the figures beyond the perplexities mean, in the panel's words. */
const DEFINITIONS: Readonly<Record<string, string>> = {
  accuracy: 'Top-1 accuracy: how often argmax of the logits is the target token (torch.argmax, ties to the lowest id).',
  meanEntropy: 'Mean entropy of softmax(logits) over the scored positions, in nats: how unsure the model was, whatever the target.',
  expectedCalibrationError:
    'Expected calibration error of the top-1 probability: 15 equal-width bins, L1, top-label (torchmetrics MulticlassCalibrationError defaults).',
  otherAlignmentCrossEntropy:
    'The cross-entropy with the other alignment (shifted if these targets are not, unshifted if they are), from the same rows: far lower means the targets are one token off.',
};

/**
 * A DataFileError naming the file, the tensor, the batch and the position of a bad token;
 * anything else as it is.
 */
export function tokenErrorInFile(tensors: LanguageModelTensors, error: unknown): unknown {
  if (!(error instanceof TokenError)) return error;
  return new DataFileError(tensors.fileName, `tensor ${quoteName(tensors.predictions.name)} ${tokenPlace(error.batch, error.position)}`, error.reason);
}

/** The decoded text of each of a sequence's tokens, when a tokenizer is given and knows every id. */
export function tokenTexts(tokenizer: TokenizerDefinition | undefined, ids: readonly number[]): readonly string[] | undefined {
  if (!tokenizer || ids.some((id) => id < 0)) return undefined;
  try {
    return decodeTokens(tokenizer, ids).pieces;
  } catch {
    return undefined;
  }
}

/** The token view of a sequence's scored tokens. Ids are -1 where log-probabilities came without them. */
export function tokenView(tokens: SequenceTokens, tokenizer: TokenizerDefinition | undefined): LanguageModelAnalysis['tokenView'] {
  const texts = tokenTexts(tokenizer, tokens.ids);
  return {
    sequence: tokens.sequence,
    tokens: tokens.positions.map((position, i) => ({
      position,
      id: Math.max(-1, tokens.ids[i]!),
      ...(texts ? { text: texts[i]! } : {}),
      loss: tokens.losses[i]!,
      rank: tokens.ranks[i]!,
    })),
  };
}

/** The analysis of a language model's file: one pass over its tokens, block by block. */
export async function analyzeLanguageModel(
  input: LanguageModelInput,
  options: AnalysisOptions = {},
  stream: LanguageModelStream = {},
): Promise<LanguageModelAnalysis> {
  const { tensors, roles } = input;
  const { fileName } = tensors;
  const tokenizer = input.tokenizer?.definition;
  const pass = new LanguageModelPass(tensors, tokenizer, options.keepRowLosses === true);
  const positions = tensors.batch * tensors.length;
  const consumed = (to: number) => {
    stream.onProgress?.(to / positions);
    stream.onPartial?.({ rows: pass.state.tokens, crossEntropy: pass.state.crossEntropy });
  };
  if (stream.pool && tensors.kind === 'logits') {
    try {
      for await (const { place, scores, otherLosses } of scoredBlocksOnThreads(tensors, stream.pool, stream.signal)) {
        pass.consumeScored(place, scores, otherLosses);
        consumed(place.to);
      }
    } catch (error) {
      throw tokenErrorInFile(tensors, error);
    }
  } else {
    for await (const rows of tokenRows(tensors, 0, tensors.batch, stream.signal)) {
      try {
        pass.consume(rows);
      } catch (error) {
        throw tokenErrorInFile(tensors, error);
      }
      consumed(rows.to);
    }
  }
  pass.finish();
  const { state } = pass;
  if (state.tokens === 0)
    throw new DataFileError(fileName, '', `no token is scored: every target is the ignore index ${tensors.ignoreIndex}${tensors.mask ? ' or masked out' : ''}`);

  const logits = tensors.kind === 'logits';
  const figures: Perplexities = tokenPerplexities(state, pass.text);
  const { crossEntropy, logLikelihood } = figures;
  const likelihood = scientificFromLog(logLikelihood);
  const reliability = logits ? state.calibration.table() : undefined;
  const otherAlignmentCrossEntropy = logits && pass.otherTokens > 0 ? pass.other.value / pass.otherTokens : undefined;
  const summaryExtras = {
    ...(logits ? { accuracy: state.accuracy, meanEntropy: state.meanEntropy, expectedCalibrationError: reliability!.ece } : {}),
    ...(otherAlignmentCrossEntropy !== undefined ? { otherAlignmentCrossEntropy } : {}),
  };
  const definitions: Record<string, string> = {};
  for (const key of Object.keys(figures) as (keyof Perplexities)[]) definitions[key] = PERPLEXITY_DEFINITIONS[key];
  for (const key of Object.keys(summaryExtras)) definitions[key] = DEFINITIONS[key]!;

  const warnings: string[] = [...(input.readerWarnings ?? [])];
  if (input.tokenizerWarning) warnings.push(input.tokenizerWarning);
  if (input.tokenizer && pass.textProblem)
    warnings.push(`${input.tokenizer.definition.name} gives no text for bits per byte and the word and byte perplexities: ${pass.textProblem}.`);
  const offByOne = otherAlignmentCrossEntropy !== undefined ? offByOneWarning({ shift: tensors.shift, crossEntropy }, otherAlignmentCrossEntropy) : undefined;
  if (offByOne) warnings.push(offByOne);
  if (state.nll.infiniteCount > 0) {
    const places = state.nll.infiniteRows.map((flat) => tokenPlace(Math.floor(flat / tensors.length), flat % tensors.length)).join('; ');
    warnings.push(
      `${state.nll.infiniteCount} token(s) get probability 0, so the loss is infinite (${places}${state.nll.infiniteCount > state.nll.infiniteRows.length ? ' and more' : ''}).`,
    );
  }
  const everySequence = sequenceLosses(state.sequences);
  const crossEntropyStdError = state.nll.standardError;
  const crossEntropyClusteredStdError = clusteredRatioStandardError(
    everySequence.map((s) => s.nll),
    everySequence.map((s) => s.tokens),
  );
  const calibration = reliability ? calibrationErrorBars(reliability) : undefined;
  const errorBars = {
    ...meanLossErrorBars(crossEntropy, crossEntropyStdError, {
      perplexity: true,
      method: TOKEN_METHOD,
    }),
    crossEntropyBySequence: normalErrorBar(crossEntropy, crossEntropyClusteredStdError, `${CLUSTERED_METHOD}; 95% interval: \u00b11.96 standard errors`),
    ...(logits ? { accuracy: accuracyErrorBar(state.nll.correct, state.rows) } : {}),
    ...(calibration ? { expectedCalibrationError: calibration.errorBar } : {}),
  };
  const sequences = listed(everySequence);
  if (sequences.length < figures.sequences)
    warnings.push(
      `${figures.sequences.toLocaleString('en-US')} sequences: the ${sequences.length.toLocaleString('en-US')} with the highest perplexity are listed, worst first.`,
    );

  const worstSequence = pass.worstSequence!.tokens;
  const view = tokenView(worstSequence, tokenizer);
  const first = view.tokens[0]!;
  const single = (id: number) => (id >= 0 ? tokenTexts(tokenizer, [id])?.[0] : undefined);
  const perplexities = new LossSketch();
  perplexities.addRows(
    Float64Array.from(everySequence, (s) => s.perplexity),
    0,
  );
  const reliabilityPlot = reliability
    ? {
        bins: reliability.bins.map((bin) => ({
          ...bin,
          meanConfidence: Number.isNaN(bin.meanConfidence) ? null : bin.meanConfidence,
          accuracy: Number.isNaN(bin.accuracy) ? null : bin.accuracy,
        })),
        expectedCalibrationError: reliability.ece,
      }
    : undefined;

  return {
    file: { name: fileName, format: input.format, rows: positions },
    task: 'lm',
    roles: {
      reason: roles.reason,
      columns: input.choices,
      predictions: roles.predictions,
      predictionKind: roles.predictionKind,
      target: roles.target ?? '',
      ...(roles.mask ? { mask: roles.mask } : {}),
      shape: roles.shape,
      shift: roles.shift,
      shiftReason: roles.shiftReason,
      ignoreIndex: tensors.ignoreIndex,
      ...(input.tokenizer ? { tokenizer: input.tokenizer.path } : {}),
    },
    summary: {
      n: state.tokens,
      crossEntropy,
      logLikelihood,
      log10Likelihood: logLikelihood / LN10,
      likelihoodMantissa: likelihood.mantissa,
      likelihoodExponent: likelihood.exponent,
      tokens: figures.tokens,
      sequences: figures.sequences,
      perplexity: figures.perplexity,
      meanSequencePerplexity: figures.meanSequencePerplexity,
      geometricMeanSequencePerplexity: figures.geometricMeanSequencePerplexity,
      bitsPerToken: figures.bitsPerToken,
      ...(figures.bitsPerByte !== undefined
        ? { bitsPerByte: figures.bitsPerByte, bytePerplexity: figures.bytePerplexity!, wordPerplexity: figures.wordPerplexity! }
        : {}),
      ...summaryExtras,
      crossEntropyStdError,
      crossEntropyClusteredStdError,
      errorBars,
      ...(calibration ? { calibrationNoiseFloor: calibration.noiseFloor } : {}),
      definitions,
    },
    derivations: [
      languageModelDerivation({
        tokens: figures.tokens,
        sequences: figures.sequences,
        logLikelihood,
        crossEntropy,
        perplexity: figures.perplexity,
        likelihood,
        sequenceNllTotal: totalOf(state.sequences),
        positionNllTotal: totalOf(state.positions),
        predictionKind: roles.predictionKind,
        shift: tensors.shift,
        example: {
          sequence: view.sequence,
          tokens: state.sequences.countAt(view.sequence),
          nll: state.sequences.valueAt(view.sequence),
          token: { position: first.position, id: first.id, ...(first.text !== undefined ? { text: first.text } : {}), loss: first.loss },
        },
        predictionsName: roles.predictions,
        ...(roles.target ? { targetName: roles.target } : {}),
      }),
    ],
    sequences,
    plots: {
      lossByPosition: lossByPosition(state.positions, tensors.length),
      sequencePerplexityHistogram: perplexities.histogram(),
      runningMean: pass.sketch.runningMean(),
      ...(reliabilityPlot ? { reliability: reliabilityPlot } : {}),
      worstTokens: pass.worst.map((token) => {
        const text = single(token.id);
        return {
          sequence: token.sequence,
          position: token.position,
          id: Math.max(-1, token.id),
          ...(text !== undefined ? { text } : {}),
          loss: token.loss,
          rank: token.rank,
        };
      }),
    },
    tokenView: view,
    warnings,
    ...(pass.rowLosses ? { rowLosses: { crossEntropy: Array.from(pass.rowLosses) } } : {}),
    ...(pass.rowTargets && pass.rowPredicted
      ? {
          rowTargets: {
            labels: Array.from(pass.rowTargets),
            unscored: NO_TARGET,
            ...(tensors.kind === 'logits' ? { predicted: Array.from(pass.rowPredicted) } : {}),
          },
        }
      : {}),
  };
}

/** The compensated sums of an IndexedSums added up (with compensation again). */
function totalOf(sums: IndexedSumsData): number {
  const total = new CompensatedSum();
  for (let i = 0; i < sums.size; i++) {
    total.add(sums.sum[i]!);
    total.add(sums.compensation[i]!);
  }
  return total.value;
}

/** Every sequence with a scored token, in file order. */
function sequenceLosses(sums: IndexedSumsData): SequenceLoss[] {
  const all: SequenceLoss[] = [];
  for (let i = 0; i < sums.size; i++) {
    const tokens = sums.count[i]!;
    if (tokens === 0) continue;
    const sum = sums.sum[i]!;
    const nll = Number.isFinite(sum) ? sum + sums.compensation[i]! : sum;
    all.push({ sequence: sums.first + i, tokens, nll, perplexity: Math.exp(nll / tokens) });
  }
  return all;
}

/** The sequences to list: all of them, or beyond MAX_LISTED_SEQUENCES the worst ones, worst first. */
function listed(all: SequenceLoss[]): SequenceLoss[] {
  if (all.length <= MAX_LISTED_SEQUENCES) return all;
  return [...all].sort((a, b) => b.nll / b.tokens - a.nll / a.tokens || a.sequence - b.sequence).slice(0, MAX_LISTED_SEQUENCES);
}

/** Mean loss at each position t; a long context is averaged over runs of neighbouring positions (each point at the run's first). */
function lossByPosition(sums: IndexedSumsData, length: number): LanguageModelAnalysis['plots']['lossByPosition'] {
  const run = Math.ceil(length / MAX_POSITION_POINTS);
  const position: number[] = [];
  const meanLoss: number[] = [];
  const count: number[] = [];
  for (let start = 0; start < length; start += run) {
    const total = new CompensatedSum();
    let tokens = 0;
    for (let t = start; t < Math.min(length, start + run); t++) {
      const i = t - sums.first;
      if (i < 0 || i >= sums.size || sums.count[i] === 0) continue;
      total.add(sums.sum[i]!);
      total.add(sums.compensation[i]!);
      tokens += sums.count[i]!;
    }
    if (tokens === 0) continue;
    position.push(start);
    meanLoss.push(total.value / tokens);
    count.push(tokens);
  }
  return { position, meanLoss, count };
}
