import { CompensatedSum } from '../../../engine/compensatedSum';
import { LossSketch } from '../../../engine/lossSketch';
import { NO_TARGET } from '../../../engine/tokens/alignment';
import type { TextSize } from '../../../engine/tokens/perplexity';
import { otherAlignmentLosses, unionTargets } from '../../../engine/tokens/otherAlignment';
import { logitValues } from '../../../engine/tokens/tokenLogits';
import { scoreTokens, TokenLossState, type TokenScores } from '../../../engine/tokens/tokenLoss';
import { decodeTokens } from '../../../readers/tokenizer/decodeTokens';
import { textSize } from '../../../readers/tokenizer/textSize';
import type { TokenizerDefinition } from '../../../readers/tokenizer/tokenizerJson';
import { MAX_VIEW_TOKENS } from '../../sizes';
import type { LanguageModelTensors, SequenceGroup, TokenBlockPlace, TokenRows } from './tokenRows';

/** The highest-loss tokens an analysis lists. */
export const WORST_TOKENS = 50;

/** A scored token before its text is known. rank: 1 + the logits above the target's; 0 for log-probabilities, which have none to rank against. */
export interface ScoredToken {
  readonly sequence: number;
  readonly position: number;
  /** The target id; negative when log-probabilities came without token ids. */
  readonly id: number;
  readonly loss: number;
  readonly rank: number;
}

/** One sequence's scored tokens, in position order, as parallel arrays. */
export class SequenceTokens {
  readonly positions: number[] = [];
  readonly ids: number[] = [];
  readonly losses: number[] = [];
  readonly ranks: number[] = [];

  constructor(readonly sequence: number) {}

  add(position: number, id: number, loss: number, rank: number): void {
    if (this.positions.length >= MAX_VIEW_TOKENS) return;
    this.positions.push(position);
    this.ids.push(id);
    this.losses.push(loss);
    this.ranks.push(rank);
  }
}

/**
 * One streaming pass over a language model's token grid, block by block in file order: the
 * engine's TokenLossState (likelihood, per sequence, per position, accuracy, entropy,
 * calibration), the other alignment's cross-entropy from the same rows, the running mean of
 * the token losses, the worst tokens, the tokens of the worst sequence so far and, with a
 * tokenizer, the size of the scored text.
 */
export class LanguageModelPass {
  readonly state: TokenLossState;
  /** -log p of each token the other alignment scores. */
  readonly other = new CompensatedSum();
  otherTokens = 0;
  readonly sketch = new LossSketch();
  readonly worst: ScoredToken[] = [];
  /** The sequence with the highest mean NLL among those finished, and its tokens. */
  worstSequence: { readonly tokens: SequenceTokens; readonly meanNll: number } | undefined;
  /** reduction='none': every position's loss, 0 where nothing is scored, as F.cross_entropy gives them. */
  readonly rowLosses: Float64Array | undefined;
  /** Kept with rowLosses: every position's target id (NO_TARGET where nothing is scored) and top-1 id (NO_TARGET without logits), for comparing two files. */
  readonly rowTargets: Int32Array | undefined;
  readonly rowPredicted: Int32Array | undefined;
  /** Bytes and words of the scored text, while every sequence decodes. */
  text: { bytes: number; words: number } | undefined;
  /** Why the tokenizer gave no text, when it could not decode an id. */
  textProblem: string | undefined;

  private current: SequenceTokens | undefined;
  private group: SequenceGroup | undefined;
  private union = new Int32Array(0);
  private losses = new Float64Array(0);

  constructor(
    private readonly tensors: LanguageModelTensors,
    private readonly tokenizer: TokenizerDefinition | undefined,
    keepRowLosses: boolean,
  ) {
    this.state = new TokenLossState(tensors.vocabulary, tensors.length);
    // B * T doubles: no more than the predictions already hold in the file.
    this.rowLosses = keepRowLosses ? new Float64Array(tensors.batch * tensors.length) : undefined;
    this.rowTargets = keepRowLosses ? new Int32Array(tensors.batch * tensors.length).fill(NO_TARGET) : undefined;
    this.rowPredicted = keepRowLosses ? new Int32Array(tensors.batch * tensors.length).fill(NO_TARGET) : undefined;
    if (tokenizer) this.text = { bytes: 0, words: 0 };
  }

  consume(rows: TokenRows): void {
    const { chosen, other } = this.targetsOf(rows);
    if (this.losses.length < chosen.length) this.losses = new Float64Array(chosen.length);
    if (this.tensors.kind === 'logits') {
      // Rows only the other alignment scores are scored too (one logit more each), then left out of the chosen state.
      if (this.union.length < chosen.length) this.union = new Int32Array(chosen.length);
      const union = unionTargets(chosen, other!, this.union);
      const scores = scoreTokens({ logits: rows.values, from: rows.from, to: rows.to, targets: union }, this.tensors.vocabulary, this.tensors.length);
      this.consumeLogits(rows.from, chosen, other!, scores, otherAlignmentLosses(rows.values, this.tensors.vocabulary, union, other!, scores.nll));
    } else this.consumeLogProbabilities(rows, chosen);
  }

  /**
   * A block of logits scored elsewhere (on a scoring thread) with the union of its targets, and
   * its positions' losses under the other alignment: reduced exactly as consume reduces it.
   */
  consumeScored(block: TokenBlockPlace, scores: TokenScores, otherLosses: Float64Array): void {
    const { chosen, other } = this.targetsOf(block);
    if (this.losses.length < chosen.length) this.losses = new Float64Array(chosen.length);
    this.consumeLogits(block.from, chosen, other!, scores, otherLosses);
  }

  /** The ids a block's positions score, both ways for logits; a new group starts here. */
  private targetsOf(block: TokenBlockPlace): { chosen: Int32Array; other: Int32Array | undefined } {
    const { group } = block;
    if (group !== this.group) this.startGroup(group);
    const n = block.to - block.from;
    const at = block.from - group.first * this.tensors.length;
    return { chosen: group.chosen.subarray(at, at + n), other: group.other?.subarray(at, at + n) };
  }

  /** The last sequence is finished too. */
  finish(): void {
    this.closeSequence();
  }

  private consumeLogits(from: number, chosen: Int32Array, other: Int32Array, scores: TokenScores, otherLosses: Float64Array): void {
    const { nll, predicted, rank } = scores;
    for (let i = 0; i < chosen.length; i++) {
      if (other[i] === NO_TARGET) continue;
      this.other.add(otherLosses[i]!);
      this.otherTokens++;
      if (chosen[i] === NO_TARGET) predicted[i] = -1;
    }
    this.state.consumeScores(scores, chosen);
    this.record(from, chosen, nll, rank, predicted);
  }

  private consumeLogProbabilities(rows: TokenRows, chosen: Int32Array): void {
    const { from, to } = rows;
    const n = to - from;
    // Log-probabilities are never left as halves (only logits are), so this is a view.
    const values = logitValues(rows.values, 0, n);
    const scored = new Uint8Array(n);
    const nll = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      scored[i] = chosen[i] === NO_TARGET ? 0 : 1;
      nll[i] = -values[i]!;
    }
    // Checks each value is a log-probability (<= 0), naming the batch and position.
    this.state.consumeLogProbabilities(from, values.subarray(0, n), scored);
    this.record(from, chosen, nll, undefined);
  }

  /** The scored tokens of a block: running mean, worst tokens, the sequence being read, reduction='none'. */
  private record(from: number, chosen: Int32Array, nll: Float64Array, rank: Int32Array | undefined, predicted?: Int32Array): void {
    const T = this.tensors.length;
    let count = 0;
    for (let i = 0; i < chosen.length; i++) {
      const id = chosen[i]!;
      if (id === NO_TARGET) continue;
      const loss = nll[i]!;
      const flat = from + i;
      const sequence = Math.floor(flat / T);
      const position = flat - sequence * T;
      const tokenRank = rank ? rank[i]! + 1 : 0;
      this.losses[count++] = loss;
      if (this.rowLosses) this.rowLosses[flat] = loss;
      if (this.rowTargets) this.rowTargets[flat] = id;
      if (this.rowPredicted && predicted) this.rowPredicted[flat] = predicted[i]!;
      if (this.worst.length < WORST_TOKENS || loss > this.worst[this.worst.length - 1]!.loss) this.addWorst({ sequence, position, id, loss, rank: tokenRank });
      if (this.current?.sequence !== sequence) {
        this.closeSequence();
        this.current = new SequenceTokens(sequence);
      }
      this.current.add(position, id, loss, tokenRank);
    }
    if (count > 0) this.sketch.addRows(this.losses.subarray(0, count), this.state.tokens - count);
  }

  private addWorst(token: ScoredToken): void {
    let at = this.worst.length;
    while (at > 0 && token.loss > this.worst[at - 1]!.loss) at--;
    this.worst.splice(at, 0, token);
    if (this.worst.length > WORST_TOKENS) this.worst.pop();
  }

  /** A sequence is finished: it becomes the worst one if its mean NLL is higher (the first one on a tie). */
  private closeSequence(): void {
    const tokens = this.current;
    this.current = undefined;
    if (!tokens) return;
    const meanNll = this.state.sequences.valueAt(tokens.sequence) / this.state.sequences.countAt(tokens.sequence);
    if (!this.worstSequence || meanNll > this.worstSequence.meanNll) this.worstSequence = { tokens, meanNll };
  }

  /** A new group of whole sequences: with a tokenizer, the size of each one's scored text (special tokens left out). */
  private startGroup(group: SequenceGroup): void {
    this.group = group;
    if (!this.text || !this.tokenizer) return;
    const T = this.tensors.length;
    for (let b = 0; b < group.count; b++) {
      const ids = scoredIds(group.chosen, b * T, (b + 1) * T);
      if (ids.length === 0) continue;
      if (ids.some((id) => id < 0)) {
        this.text = undefined;
        this.textProblem = 'the log-probabilities come without token ids to decode';
        return;
      }
      let size: TextSize;
      try {
        size = textSize(decodeTokens(this.tokenizer, ids, { skipSpecialTokens: true }).text);
      } catch (error) {
        this.text = undefined;
        this.textProblem = `sequence ${group.first + b}: ${(error as Error).message}`;
        return;
      }
      this.text.bytes += size.bytes;
      this.text.words += size.words;
    }
  }
}

/** The ids scored in positions [from, to) of an aligned grid, in order. */
export function scoredIds(chosen: Int32Array, from: number, to: number): number[] {
  const ids: number[] = [];
  for (let i = from; i < to; i++) if (chosen[i] !== NO_TARGET) ids.push(chosen[i]!);
  return ids;
}
