/** Helpers for working with likelihoods in log space, where they never underflow. */
import { expNonPositive } from './expNonPositive';

export const LN10 = Math.LN10;

/** log(sum(exp(x))) over x[offset .. offset+length), stable for any magnitude. */
export function logSumExp(x: ArrayLike<number>, offset = 0, length = x.length - offset): number {
  let max = -Infinity;
  for (let j = 0; j < length; j++) {
    const v = x[offset + j]!;
    if (v > max) max = v;
  }
  if (max === -Infinity || !Number.isFinite(max)) return max;
  let total = 0;
  for (let j = 0; j < length; j++) total += expNonPositive(x[offset + j]! - max);
  return max + Math.log(total);
}

/** A positive number written as mantissa x 10^exponent, computed from its natural log. */
export interface ScientificNumber {
  readonly mantissa: number;
  readonly exponent: number;
}

/** exp(logValue) as mantissa x 10^exponent, even far below the smallest double. */
export function scientificFromLog(logValue: number): ScientificNumber {
  if (logValue === -Infinity) return { mantissa: 0, exponent: 0 };
  if (!Number.isFinite(logValue)) return { mantissa: Number.NaN, exponent: 0 };
  const log10 = logValue / LN10;
  let exponent = Math.floor(log10);
  let mantissa = 10 ** (log10 - exponent);
  // Rounding can land the mantissa on 10.000...; renormalise.
  if (mantissa >= 10) {
    mantissa /= 10;
    exponent += 1;
  }
  return { mantissa, exponent };
}

/** ln of the smallest positive double (5e-324): a product of likelihoods below it is 0 in float64. */
export const LOG_MIN_DOUBLE = Math.log(Number.MIN_VALUE);

/**
 * What multiplying the per-sample likelihoods in float64 would give, worked out from the
 * running log-likelihood instead of by multiplying: the value, and the first row after
 * which the product has underflowed to 0.
 */
export function float64ProductFromLogs(logs: ArrayLike<number>): { value: number; underflowRow: number | undefined } {
  let running = 0;
  for (let i = 0; i < logs.length; i++) {
    running += logs[i]!;
    if (running < LOG_MIN_DOUBLE) return { value: 0, underflowRow: i };
  }
  return { value: Math.exp(running), underflowRow: undefined };
}
