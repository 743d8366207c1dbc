import { DEFAULT_IGNORE_INDEX } from '../crossEntropyLoss';
import { TokenError } from './tokenError';

/** What a logits position scores when it scores nothing. */
export const NO_TARGET = -1;

export interface AlignmentOptions {
  /**
   * false: logits position t scores target[b, t] (PyTorch's F.cross_entropy, encoder-decoder
   * labels). true: position t scores target[b, t + 1] (Hugging Face causal LMs, whose loss
   * shifts labels = input_ids itself); the last position then scores nothing.
   */
  readonly shift: boolean;
  /** V, the number of logits per position: target ids must lie in 0..V-1. */
  readonly vocabulary: number;
  /** attention_mask [B, T] of 0 and 1: a target whose mask is 0 is not scored. */
  readonly mask?: ArrayLike<number>;
  /** Targets equal to it are not scored. Default -100, as in PyTorch. */
  readonly ignoreIndex?: number;
}

export interface TokenAlignment {
  readonly batch: number;
  readonly length: number;
  readonly shift: boolean;
  /** For each logits position b * length + t, the target id it scores, or NO_TARGET. */
  readonly targets: Int32Array;
  /** How many positions score a token. */
  readonly scored: number;
}

/**
 * Says which target each logits position of a [B, T] grid scores. `targets` holds B * T ids
 * (any numeric array: int64 ids arrive as float64). Throws a TokenError naming the batch and the
 * position of the target tensor for an id that would be scored but is not in 0..V-1, and for a
 * mask value that is neither 0 nor 1 (an additive mask of 0 and -inf means the opposite).
 */
export function alignTargets(targets: ArrayLike<number>, batch: number, length: number, options: AlignmentOptions): TokenAlignment {
  const { shift, vocabulary, mask } = options;
  const ignoreIndex = options.ignoreIndex ?? DEFAULT_IGNORE_INDEX;
  if (!(Number.isSafeInteger(batch) && batch >= 1 && Number.isSafeInteger(length) && length >= 1))
    throw new RangeError(`targets of shape [${batch}, ${length}]: both sizes must be positive integers`);
  if (batch * length !== targets.length) throw new RangeError(`${targets.length} targets for a [${batch}, ${length}] grid`);
  if (mask && mask.length !== targets.length) throw new RangeError(`an attention mask of ${mask.length} values for ${targets.length} targets`);
  if (!(Number.isSafeInteger(vocabulary) && vocabulary >= 1)) throw new RangeError(`vocabulary size ${vocabulary} is not a positive integer`);
  // As long as the targets themselves: already in memory, so no size from the file is trusted here.
  const aligned = new Int32Array(targets.length).fill(NO_TARGET);
  const step = shift ? 1 : 0;
  let scored = 0;
  for (let b = 0; b < batch; b++) {
    const row = b * length;
    for (let t = 0; t + step < length; t++) {
      const at = row + t + step;
      if (mask) {
        const m = mask[at]!;
        if (m === 0) continue;
        if (m !== 1) throw new TokenError(b, t + step, length, `attention mask value ${m} is neither 0 nor 1`);
      }
      const id = targets[at]!;
      if (id === ignoreIndex) continue;
      if (!(id >= 0 && id < vocabulary && id === Math.floor(id)))
        throw new TokenError(
          b,
          t + step,
          length,
          Number.isNaN(id) ? 'the target id is missing (NaN)' : `target id ${id} is not a token id in 0..${vocabulary - 1}`,
        );
      aligned[row + t] = id;
      scored++;
    }
  }
  return { batch, length, shift, targets: aligned, scored };
}

// The rule lives with the other tensor names, in the roles stage, which chooses the alignment.
export { defaultAlignment, type DefaultAlignment } from '../../roles/vocabulary';

/**
 * How much lower (in nats per token) the other alignment's cross-entropy must be to warn. A
 * trained LM scored one token off pays several nats per token (it predicts the next token, not
 * the current one); an untrained one scores both alignments within a few hundredths of a nat
 * (see test/fixtures/lm). 1 nat means the other alignment gives the targets e ≈ 2.7 times the
 * probability on average: far beyond chance yet well inside an off-by-one's gap.
 */
export const OFF_BY_ONE_NATS = 1;

/**
 * A warning when the alignment not chosen fits the data much better, which is what scoring a
 * trained model one token off looks like (shifting twice, or not at all). Undefined otherwise.
 */
export function offByOneWarning(chosen: { readonly shift: boolean; readonly crossEntropy: number }, otherCrossEntropy: number): string | undefined {
  if (!(chosen.crossEntropy - otherCrossEntropy > OFF_BY_ONE_NATS)) return undefined;
  const other = chosen.shift ? 'unshifted (position t scores target t)' : 'shifted (position t scores target t + 1)';
  return `The ${other} alignment gives a cross-entropy of ${otherCrossEntropy.toPrecision(4)} nats against ${chosen.crossEntropy.toPrecision(4)}: the targets may be one token off.`;
}
