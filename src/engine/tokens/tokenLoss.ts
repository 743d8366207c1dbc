import { DEFAULT_CALIBRATION_BINS, ReliabilityState, type ReliabilityData } from '../calibration';
import { CompensatedSum, type CompensatedSumData } from '../compensatedSum';
import { expNonPositive } from '../expNonPositive';
import {
  FIGURE_ABOVE,
  FIGURE_ARGMAX,
  FIGURE_MAX,
  FIGURE_PICKED,
  FIGURE_REST,
  FIGURE_WEIGHTED,
  KERNEL_DECLINED,
  logSumExpKernel,
  ROW_FIGURES,
  type LogSumExpKernel,
  type TakeFigures,
} from '../kernel/logSumExpKernel';
import { LossAccumulator, type LossAccumulatorData } from '../lossAccumulator';
import type { StreamingState } from '../reduction';
import type { RowScores } from '../rowScores';
import { NO_TARGET } from './alignment';
import { IndexedSums, type IndexedSumsData } from './indexedSums';
import { tokenErrorAt } from './tokenError';
import { isHalfLogits, logitCount, logitValues, type TokenLogits } from './tokenLogits';

/** Positions from .. to - 1 of a [B, T] grid (flat index b * T + t) with their logits and aligned targets. */
export interface TokenBlock {
  /** Position p's V logits are logits[offset + (p - from) * V ..] (decoded, or the halves of a bfloat16 or float16 file). */
  readonly logits: TokenLogits;
  readonly offset?: number;
  readonly from: number;
  readonly to: number;
  /** The target of each position of the block (TokenAlignment.targets from .. to), NO_TARGET for none; rows without one are not read. */
  readonly targets: ArrayLike<number>;
}

/** Per position of a block, what shading a token needs. Positions without a target hold NaN (and -1 in the integer arrays). */
export interface TokenScores {
  readonly from: number;
  readonly n: number;
  /** -log softmax(z)[y]. */
  readonly nll: Float64Array;
  /** H(softmax(z)) in nats. */
  readonly entropy: Float64Array;
  /** max softmax(z), the top-1 probability. */
  readonly topProbability: Float64Array;
  /** argmax z, ties to the lowest id as torch.argmax. */
  readonly predicted: Int32Array;
  /** How many logits are strictly greater than the target's: 0 when no token beats it. */
  readonly rank: Int32Array;
}

/**
 * Scores the block's positions in one pass over each row of V logits. Throws a TokenError for a
 * row with a NaN or +Infinity logit or no finite one (-Infinity entries are allowed: they are
 * probability 0, as some models mask unused vocabulary).
 *
 * The pass keeps a running maximum m (the "online softmax"): with d_j = z_j - m and e_j = exp(d_j),
 *   R = sum_{j != argmax} e_j,   S = 1 + R,   W = sum_j e_j d_j <= 0,
 * and when a larger z arrives the sums are rescaled by f = exp(m_old - m_new):
 *   R' = f R + f (the old maximum joins the rest),   W' = f (W + (m_old - m_new) S).
 * Then log-sum-exp = m + log1p(R), -log p_y = (m - z_y) + log1p(R), the top-1 probability is 1 / S,
 * and since log p_j = d_j - log S,
 *   H = -sum_j p_j log p_j = log S - W / S = log1p(R) + |W| / S,
 * a sum of two non-negative terms: no cancellation, and log1p keeps a confident row's small
 * entropy accurate where log(S) would round it away.
 */
export function scoreTokens(block: TokenBlock, vocabulary: number, length: number): TokenScores {
  const n = block.to - block.from;
  if (!(Number.isSafeInteger(n) && n >= 0)) throw new RangeError(`positions ${block.from} to ${block.to}`);
  if (block.targets.length < n) throw new RangeError(`${block.targets.length} targets for ${n} positions`);
  const offset = block.offset ?? 0;
  const count = logitCount(block.logits);
  if (offset + n * vocabulary > count) throw new RangeError(`${count - offset} logits for ${n} positions of ${vocabulary}`);
  // alignTargets has checked ids read from a file; this catches targets that did not come through it.
  for (let i = 0; i < n; i++) {
    const target = block.targets[i]!;
    if (target !== NO_TARGET && !(Number.isInteger(target) && target >= 0 && target < vocabulary))
      throw new RangeError(`position ${block.from + i}: target ${target} is not a token id in 0..${vocabulary - 1} (align the targets with alignTargets)`);
  }
  const out: TokenScores = {
    from: block.from,
    n,
    nll: new Float64Array(n).fill(Number.NaN),
    entropy: new Float64Array(n).fill(Number.NaN),
    topProbability: new Float64Array(n).fill(Number.NaN),
    predicted: new Int32Array(n).fill(-1),
    rank: new Int32Array(n).fill(-1),
  };
  const kernel = logSumExpKernel();
  const { logits } = block;
  let bad = kernel?.accepts(vocabulary) ? scoreTokensOnKernel(kernel, logits, offset, block.targets, n, vocabulary, out) : KERNEL_DECLINED;
  if (bad === KERNEL_DECLINED)
    bad = isHalfLogits(logits)
      ? scoreTokensInto(logitValues(logits, offset, n * vocabulary), 0, block.targets, n, vocabulary, out)
      : scoreTokensInto(logits, offset, block.targets, n, vocabulary, out);
  if (bad >= 0) throw tokenErrorAt(block.from + bad, length, rowProblem(logitValues(logits, offset + bad * vocabulary, vocabulary), 0, vocabulary));
  return out;
}

/**
 * Whether scoreTokens reads rows of this width as raw halves on the kernel. Else it would widen
 * them into a new array per block: a caller then does better to decode into memory of its own.
 */
export function scoresHalves(vocabulary: number): boolean {
  return logSumExpKernel()?.accepts(vocabulary) ?? false;
}

/**
 * scoreTokens' loop; returns the index of the first invalid row, or -1. Nothing but that return
 * follows the loop (see scoreRowsInto in rowScores.ts: code after a long loop that has not run
 * yet makes V8 throw away the compiled loop).
 */
function scoreTokensInto(
  logits: Float32Array | Float64Array,
  offset: number,
  targets: ArrayLike<number>,
  n: number,
  vocabulary: number,
  out: TokenScores,
): number {
  const { nll, entropy, topProbability, predicted, rank } = out;
  for (let i = 0, start = offset; i < n; i++, start += vocabulary) {
    const target = targets[i]!;
    if (target === NO_TARGET) continue;
    const own = logits[start + target]!;
    let max = logits[start]!;
    let best = 0;
    let rest = 0;
    let weighted = 0;
    let above = own < max ? 1 : 0;
    for (let j = 1; j < vocabulary; j++) {
      const z = logits[start + j]!;
      // Without a branch: z > own is a coin toss, and mispredicting it cost a fifth of the loop.
      above += +(z > own);
      if (z > max) {
        const shift = max - z;
        const f = expNonPositive(shift);
        if (f === 0) {
          // Everything so far is negligible (or was -Infinity, where shift * S would be NaN).
          rest = 0;
          weighted = 0;
        } else {
          weighted = f * (weighted + shift * (1 + rest));
          rest = f * rest + f;
        }
        max = z;
        best = j;
      } else {
        const d = z - max;
        const e = expNonPositive(d);
        rest += e;
        weighted += e * d;
      }
    }
    // NaN anywhere makes rest NaN; an infinite or NaN maximum fails max - max === 0.
    if (!(rest >= 0) || !(max - max === 0)) return i;
    // A -Infinity logit adds 0 * -Infinity = NaN to W; such rows are summed again without them.
    if (Number.isNaN(weighted)) weighted = weightedWithoutInfinities(logits, start, vocabulary, max);
    const logTotal = Math.log1p(rest);
    const total = 1 + rest;
    nll[i] = max - own + logTotal;
    entropy[i] = logTotal - weighted / total;
    topProbability[i] = 1 / total;
    predicted[i] = best;
    rank[i] = above;
  }
  return -1;
}

/** scoreTokensInto's figures from the WebAssembly kernel (the same to rounding); returns the first invalid row, -1, or KERNEL_DECLINED. */
function scoreTokensOnKernel(
  kernel: LogSumExpKernel,
  logits: TokenLogits,
  offset: number,
  targets: ArrayLike<number>,
  n: number,
  vocabulary: number,
  out: TokenScores,
): number {
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const target = targets[i]!;
    ids[i] = target === NO_TARGET ? -1 : target;
  }
  const { nll, entropy, topProbability, predicted, rank } = out;
  const take: TakeFigures = (figures, first, rows) => {
    for (let r = 0, at = 0; r < rows; r++, at += ROW_FIGURES) {
      const i = first + r;
      if (ids[i]! < 0) continue;
      const rest = figures[at + FIGURE_REST]!;
      const logTotal = Math.log1p(rest);
      const total = 1 + rest;
      nll[i] = figures[at + FIGURE_MAX]! - figures[at + FIGURE_PICKED]! + logTotal;
      entropy[i] = logTotal - figures[at + FIGURE_WEIGHTED]! / total;
      topProbability[i] = 1 / total;
      predicted[i] = figures[at + FIGURE_ARGMAX]!;
      rank[i] = figures[at + FIGURE_ABOVE]!;
    }
  };
  return isHalfLogits(logits)
    ? kernel.scoreHalves(logits.halves, logits.dtype, offset, vocabulary, n, vocabulary, ids, take)
    : kernel.score(logits, offset, vocabulary, n, vocabulary, ids, take);
}

/** W = sum_j e^(z_j - max) (z_j - max) over the finite logits of a row whose maximum is known. */
function weightedWithoutInfinities(logits: ArrayLike<number>, start: number, vocabulary: number, max: number): number {
  let weighted = 0;
  for (let j = 0; j < vocabulary; j++) {
    const d = logits[start + j]! - max;
    if (d !== -Infinity) weighted += expNonPositive(d) * d;
  }
  return weighted;
}

/** What is wrong with a row scoreTokens refused. */
function rowProblem(logits: ArrayLike<number>, start: number, vocabulary: number): string {
  for (let j = 0; j < vocabulary; j++) {
    const z = logits[start + j]!;
    if (Number.isNaN(z)) return `logit ${j} is NaN`;
    if (z === Infinity) return `logit ${j} is +Infinity`;
  }
  return 'every logit is -Infinity';
}

/** A TokenLossState's sums as plain data (see CompensatedSumData). */
export interface TokenLossData {
  readonly vocabulary: number;
  readonly length: number;
  /** -log p of every scored token: its count, top-1 correct count, sum, sum of squares and infinite positions. */
  readonly nll: LossAccumulatorData;
  /** Tokens scored from a row of logits: what the accuracy, entropy, rank and calibration are over. */
  readonly rows: number;
  readonly entropy: CompensatedSumData;
  readonly rank: CompensatedSumData;
  /** NLL sums and token counts per sequence b. */
  readonly sequences: IndexedSumsData;
  /** NLL sums and token counts per logits position t. */
  readonly positions: IndexedSumsData;
  readonly calibration: ReliabilityData;
}

/**
 * Streaming token-level likelihood of a language model's logits [B, T, V] against aligned
 * targets: F.cross_entropy(logits.view(-1, V).double(), targets.view(-1), ignore_index=-100) and
 * what goes with it (per sequence, per position, top-1 accuracy, entropy, calibration). Blocks
 * of positions can be consumed in any split and states merged in order: the same result as one
 * pass.
 */
export class TokenLossState implements StreamingState<TokenBlock, TokenLossData>, TokenLossData {
  readonly nll = new LossAccumulator();
  rows = 0;
  readonly entropy = new CompensatedSum();
  readonly rank = new CompensatedSum();
  readonly sequences = new IndexedSums();
  readonly positions = new IndexedSums();
  readonly calibration: ReliabilityState;

  constructor(
    /** V. */
    readonly vocabulary: number,
    /** T, the positions per sequence. */
    readonly length: number,
    calibrationBins = DEFAULT_CALIBRATION_BINS,
  ) {
    if (!(Number.isSafeInteger(vocabulary) && vocabulary >= 1)) throw new RangeError(`vocabulary size ${vocabulary} is not a positive integer`);
    if (!(Number.isSafeInteger(length) && length >= 1)) throw new RangeError(`sequence length ${length} is not a positive integer`);
    this.calibration = new ReliabilityState(vocabulary, 'logits', calibrationBins);
  }

  /** Scores and adds a block; returns its per-position scores. */
  consume(block: TokenBlock): TokenScores {
    const scores = scoreTokens(block, this.vocabulary, this.length);
    this.consumeScores(scores, block.targets);
    return scores;
  }

  /** Adds a block scored by scoreTokens (on any thread); `targets` are the block's aligned targets. */
  consumeScores(scores: TokenScores, targets: ArrayLike<number>): void {
    const { from, n, nll, entropy, predicted, rank } = scores;
    const length = this.length;
    for (let i = 0; i < n; i++) {
      const target = targets[i]!;
      if (target === NO_TARGET) continue;
      const flat = from + i;
      const loss = nll[i]!;
      this.nll.add(loss, flat, predicted[i] === target);
      this.rows++;
      this.entropy.add(entropy[i]!);
      this.rank.add(rank[i]!);
      const sequence = Math.floor(flat / length);
      this.sequences.add(sequence, loss);
      this.positions.add(flat - sequence * length, loss);
    }
    // Calibration reads only the confidences and the predicted classes of these scores.
    const rows: RowScores = {
      n,
      nll,
      confidence: scores.topProbability,
      predicted,
      smoothing: undefined,
      notNormalisedCount: 0,
      notNormalisedRows: [],
      oneHotCrossEntropy: new CompensatedSum(),
    };
    this.calibration.consumeScores(targets, rows, from);
  }

  /**
   * Adds tokens given by their log-probabilities (a [B, T] dump of log p(token), as
   * lm-evaluation-harness or an API's logprobs give them) for positions from .. from + n - 1;
   * `scored` (an attention mask) says which count. They add to the likelihood, the per-sequence
   * and per-position sums only: there is no row to take an entropy, a rank or a top-1 from.
   */
  consumeLogProbabilities(from: number, logProbabilities: ArrayLike<number>, scored: ArrayLike<number> | undefined): void {
    const length = this.length;
    for (let i = 0; i < logProbabilities.length; i++) {
      const flat = from + i;
      if (scored) {
        const m = scored[i]!;
        if (m === 0) continue;
        if (m !== 1) throw tokenErrorAt(flat, length, `attention mask value ${m} is neither 0 nor 1`);
      }
      const logP = logProbabilities[i]!;
      if (!(logP <= 0)) throw tokenErrorAt(flat, length, Number.isNaN(logP) ? 'the log-probability is NaN' : `log-probability ${logP} is above 0`);
      const loss = -logP;
      this.nll.add(loss, flat);
      const sequence = Math.floor(flat / length);
      this.sequences.add(sequence, loss);
      this.positions.add(flat - sequence * length, loss);
    }
  }

  merge(other: TokenLossData): void {
    if (other.vocabulary !== this.vocabulary || other.length !== this.length)
      throw new RangeError(`merging a [${other.length}, ${other.vocabulary}] state into a [${this.length}, ${this.vocabulary}] one`);
    this.nll.merge(other.nll);
    this.rows += other.rows;
    this.entropy.merge(other.entropy);
    this.rank.merge(other.rank);
    this.sequences.merge(other.sequences);
    this.positions.merge(other.positions);
    this.calibration.merge(other.calibration);
  }

  /** Scored tokens. */
  get tokens(): number {
    return this.nll.count;
  }

  /** Mean NLL per scored token: F.cross_entropy's 'mean'. NaN with no token (0 / 0, as PyTorch). */
  get crossEntropy(): number {
    return this.nll.total.value / this.nll.count;
  }

  /** sum of log p over the scored tokens. */
  get logLikelihood(): number {
    return -this.nll.total.value;
  }

  /** Top-1 accuracy over the tokens scored from logits. */
  get accuracy(): number {
    return this.rows === 0 ? Number.NaN : this.nll.correct / this.rows;
  }

  get meanEntropy(): number {
    return this.entropy.value / this.rows;
  }

  /** Mean count of tokens ranked above the target. */
  get meanRank(): number {
    return this.rank.value / this.rows;
  }

  /** Per sequence 0..B-1: its NLL sum and scored-token count (0 and 0 for a sequence with none). */
  sequenceTotals(batch: number): { readonly nll: Float64Array; readonly tokens: Float64Array } {
    return totalsOf(this.sequences, batch);
  }

  /** Per logits position 0..T-1: the mean NLL over the sequences where it scores a token (NaN where none does). */
  positionMeans(): Float64Array {
    const { nll, tokens } = totalsOf(this.positions, this.length);
    return nll.map((sum, t) => sum / tokens[t]!);
  }
}

function totalsOf(sums: IndexedSums, size: number): { nll: Float64Array; tokens: Float64Array } {
  const nll = new Float64Array(size);
  const tokens = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    nll[i] = sums.valueAt(i);
    tokens[i] = sums.countAt(i);
  }
  return { nll, tokens };
}
