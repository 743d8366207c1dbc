import { logSumExp } from '../logSpace';
import { NO_TARGET } from './alignment';
import { logitAt, logitValues, type TokenLogits } from './tokenLogits';

/**
 * The targets a block is scored with: each position's chosen target, else the one the other
 * alignment gives it, so one pass over the logits serves both alignments.
 */
export function unionTargets(chosen: Int32Array, other: Int32Array, into: Int32Array = new Int32Array(chosen.length)): Int32Array {
  const union = into.subarray(0, chosen.length);
  for (let i = 0; i < chosen.length; i++) union[i] = chosen[i] !== NO_TARGET ? chosen[i]! : other[i]!;
  return union;
}

/**
 * -log p of each position's target under the other alignment, NaN where it scores none, from a
 * block scored with `union` (unionTargets) whose NLLs are `nll`. Position i's V logits are
 * values[i * V ..] (decoded, or halves: then only the logits needed are widened).
 */
export function otherAlignmentLosses(values: TokenLogits, vocabulary: number, union: Int32Array, other: Int32Array, nll: Float64Array): Float64Array {
  const losses = new Float64Array(other.length).fill(Number.NaN);
  for (let i = 0; i < other.length; i++) {
    const target = other[i]!;
    if (target === NO_TARGET) continue;
    const scored = union[i]!;
    if (scored === target) {
      losses[i] = nll[i]!;
      continue;
    }
    // -log p(other) = log-sum-exp - z_other = nll(scored) + (z_scored - z_other).
    const row = i * vocabulary;
    losses[i] = Number.isFinite(nll[i])
      ? nll[i]! + (logitAt(values, row + scored) - logitAt(values, row + target))
      : logSumExp(logitValues(values, row, vocabulary)) - logitAt(values, row + target);
  }
  return losses;
}
