import { widenHostHalves } from '../../readers/dtypes';
import type { HalfDType } from '../kernel/logSumExpKernel';

/**
 * Logits still in the 16-bit form of their file (in host byte order): the kernel reads them as
 * they are, so a bfloat16 or float16 block is never widened into a float32 copy first.
 */
export interface HalfLogits {
  readonly halves: Uint16Array;
  readonly dtype: HalfDType;
}

/** A block's logits: decoded values, or the raw halves of a 2-byte floating-point dtype. */
export type TokenLogits = Float32Array | Float64Array | HalfLogits;

export function isHalfLogits(logits: TokenLogits): logits is HalfLogits {
  return !ArrayBuffer.isView(logits);
}

/** How many logits there are. */
export function logitCount(logits: TokenLogits): number {
  return isHalfLogits(logits) ? logits.halves.length : logits.length;
}

/** Logits [start, start + count) as float32 values, exactly as the readers decode the dtype. */
export function widenHalves(logits: HalfLogits, start: number, count: number): Float32Array {
  const halves = logits.halves.subarray(start, start + count);
  const out = new Float32Array(halves.length);
  widenHostHalves(logits.dtype, halves, out);
  return out;
}

/** Logits [start, start + count) as numbers: a view of decoded values, or the halves widened. */
export function logitValues(logits: TokenLogits, start: number, count: number): Float32Array | Float64Array {
  return isHalfLogits(logits) ? widenHalves(logits, start, count) : logits.subarray(start, start + count);
}

/** One logit. */
export function logitAt(logits: TokenLogits, index: number): number {
  return isHalfLogits(logits) ? widenHalves(logits, index, 1)[0]! : logits[index]!;
}
