import { CompensatedSum } from '../compensatedSum';
import type { IndexedSumsData } from './indexedSums';
import type { TokenLossData } from './tokenLoss';

/** The size of the scored text, for lm-evaluation-harness's per-byte and per-word figures. */
export interface TextSize {
  /** UTF-8 bytes. */
  readonly bytes: number;
  /** len(re.split(r"\s+", text)). */
  readonly words: number;
}

export interface Perplexities {
  readonly crossEntropy: number;
  readonly logLikelihood: number;
  readonly tokens: number;
  readonly sequences: number;
  readonly perplexity: number;
  readonly meanSequencePerplexity: number;
  readonly geometricMeanSequencePerplexity: number;
  readonly bitsPerToken: number;
  /** Only with the text's size. */
  readonly bitsPerByte?: number;
  readonly bytePerplexity?: number;
  readonly wordPerplexity?: number;
}

/** What each figure is, for the panel: the formula and who reports it. */
export const PERPLEXITY_DEFINITIONS: { readonly [K in keyof Perplexities]-?: string } = {
  crossEntropy: 'Mean negative log-likelihood per scored token, in nats: F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-100).',
  logLikelihood: 'Sum of log p(token) over the scored tokens, in nats.',
  tokens: 'Scored tokens: positions whose target is not the ignore index (-100) and not masked out.',
  sequences: 'Sequences with at least one scored token.',
  perplexity: 'exp(cross-entropy): the exponential of the mean NLL over all scored tokens of all sequences (torchmetrics Perplexity, torcheval, ignite).',
  meanSequencePerplexity: 'Mean over sequences of exp(mean NLL of the sequence) (Hugging Face evaluate, "mean_perplexity"); dominated by the worst sequences.',
  geometricMeanSequencePerplexity: 'exp(mean over sequences of the mean NLL of the sequence): every sequence weighs the same whatever its length.',
  bitsPerToken: 'Cross-entropy / ln 2: mean bits per scored token.',
  bitsPerByte: '-sum log p / (UTF-8 bytes x ln 2) over the scored text (lm-evaluation-harness bits_per_byte): comparable across tokenizers.',
  bytePerplexity: 'exp(-sum log p / UTF-8 bytes) (lm-evaluation-harness byte_perplexity).',
  wordPerplexity: 'exp(-sum log p / words), words = len(re.split(r"\\s+", text)) (lm-evaluation-harness word_perplexity).',
};

/**
 * Every perplexity of a token-level state. Sequences with no scored token are left out of the
 * per-sequence means (their mean NLL is 0 / 0).
 */
export function tokenPerplexities(state: TokenLossData, text?: TextSize): Perplexities {
  const totalNll = new CompensatedSum();
  totalNll.merge(state.nll.total);
  const sumNll = totalNll.value;
  const tokens = state.nll.count;
  const crossEntropy = sumNll / tokens;
  const { sequences, sequencePerplexities, sequenceMeanNlls } = perSequence(state.sequences);
  const figures: Perplexities = {
    crossEntropy,
    logLikelihood: -sumNll,
    tokens,
    sequences,
    perplexity: Math.exp(crossEntropy),
    meanSequencePerplexity: sequencePerplexities / sequences,
    geometricMeanSequencePerplexity: Math.exp(sequenceMeanNlls / sequences),
    bitsPerToken: crossEntropy / Math.LN2,
  };
  if (!text) return figures;
  return {
    ...figures,
    bitsPerByte: sumNll / (text.bytes * Math.LN2),
    bytePerplexity: Math.exp(sumNll / text.bytes),
    wordPerplexity: Math.exp(sumNll / text.words),
  };
}

function perSequence(sums: IndexedSumsData): { sequences: number; sequencePerplexities: number; sequenceMeanNlls: number } {
  const perplexities = new CompensatedSum();
  const meanNlls = new CompensatedSum();
  let sequences = 0;
  for (let i = 0; i < sums.size; i++) {
    const count = sums.count[i]!;
    if (count === 0) continue;
    const sum = sums.sum[i]!;
    const mean = (Number.isFinite(sum) ? sum + sums.compensation[i]! : sum) / count;
    perplexities.add(Math.exp(mean));
    meanNlls.add(mean);
    sequences++;
  }
  return { sequences, sequencePerplexities: perplexities.value, sequenceMeanNlls: meanNlls.value };
}
