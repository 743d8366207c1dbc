import { logFactorial } from '../logFactorial';
import { LN10 } from '../logSpace';

export interface McNemarTest {
  /** Rows model A got right and model B wrong, and the reverse. */
  readonly aRightBWrong: number;
  readonly aWrongBRight: number;
  readonly pValue: number;
  /** log10 of the p-value, finite where the p-value itself underflows to 0. */
  readonly log10PValue: number;
}

/**
 * McNemar's exact test, as statsmodels' mcnemar(table, exact=True): the two-sided binomial test
 * of min(b, c) successes in b + c trials at p = 0.5 (scipy.stats.binomtest(...).pvalue), which
 * for p = 0.5 is min(1, 2 P(X <= min(b, c))). Computed in log space: the binomial terms by
 * log-factorials and added by log-sum-exp, so a p-value of 1e-80 (or 1e-400) keeps its digits.
 * No discordant rows: no evidence either way, p = 1.
 */
export function mcnemarExact(aRightBWrong: number, aWrongBRight: number): McNemarTest {
  const n = aRightBWrong + aWrongBRight;
  const k = Math.min(aRightBWrong, aWrongBRight);
  let logP = 0;
  if (n > 0 && 2 * k !== n) {
    // log C(n, i) - n log 2 for i = 0..k; the terms grow with i (k < n/2), so the last is the largest.
    const logNorm = logFactorial(n) - n * Math.LN2;
    const last = logNorm - logFactorial(k) - logFactorial(n - k);
    let scaled = 0;
    for (let i = k; i >= 0; i--) {
      const term = Math.exp(logNorm - logFactorial(i) - logFactorial(n - i) - last);
      scaled += term;
      // Terms fall at least geometrically below the largest: the rest cannot change the sum.
      if (term < 1e-17 * scaled) break;
    }
    logP = Math.min(0, Math.LN2 + last + Math.log(scaled));
  }
  return { aRightBWrong, aWrongBRight, pValue: Math.exp(logP), log10PValue: logP / LN10 };
}
