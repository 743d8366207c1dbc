import type { PredictionKind } from './categorical';
import { logSumExp } from './logSpace';
import { RowError } from './rowError';

/**
 * Writes log q_c for one row into `out`: the log of probabilities (not renormalised, so a
 * row that does not sum to 1 is measured as given), log-probabilities as they are, or
 * logits through log-softmax computed by log-sum-exp. Throws a RowError on NaN or on
 * values outside the kind's range.
 */
export function logProbabilityRow(values: ArrayLike<number>, offset: number, k: number, kind: PredictionKind, row: number, out: Float64Array): void {
  if (kind === 'logits') {
    const lse = logSumExp(values, offset, k);
    if (Number.isNaN(lse)) throw new RowError(row, 'a logit is NaN');
    if (!Number.isFinite(lse)) throw new RowError(row, 'a logit is infinite');
    for (let j = 0; j < k; j++) out[j] = values[offset + j]! - lse;
    return;
  }
  for (let j = 0; j < k; j++) {
    const v = values[offset + j]!;
    if (kind === 'probs') {
      if (!(v >= 0 && v <= 1))
        throw new RowError(row, Number.isNaN(v) ? `the probability of class ${j} is missing (NaN)` : `probability ${v} of class ${j} is outside [0, 1]`);
      out[j] = Math.log(v);
    } else {
      if (!(v <= 0))
        throw new RowError(row, Number.isNaN(v) ? `the log-probability of class ${j} is missing (NaN)` : `log-probability ${v} of class ${j} is not <= 0`);
      out[j] = v;
    }
  }
}
