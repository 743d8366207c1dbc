import type { ReliabilityTable } from '../../engine/calibration';
import { MEAN_METHOD, NOISE_FLOOR_METHOD, normalErrorBar, perplexityErrorBar, proportionStandardError, type ErrorBar } from '../../engine/uncertainty';
import type { CalibrationNoiseFloor } from '../results';

/**
 * The error bars of a mean loss per row: the cross-entropy (std of the per-row losses, ddof 1,
 * over sqrt n), the log-likelihood per row (its negative, the same standard error) and, when
 * asked, the perplexity exp(CE) with the interval exp(CE +- 1.96 se).
 */
export function meanLossErrorBars(
  crossEntropy: number,
  standardError: number,
  options: { readonly perplexity?: boolean; readonly method?: string } = {},
): Record<string, ErrorBar> {
  const method = options.method ?? MEAN_METHOD;
  return {
    crossEntropy: normalErrorBar(crossEntropy, standardError, method),
    logLikelihoodPerRow: normalErrorBar(-crossEntropy, standardError, method),
    ...(options.perplexity ? { perplexity: perplexityErrorBar(crossEntropy, standardError) } : {}),
  };
}

/** Top-1 accuracy as the mean of 0/1 correctness: std(correct, ddof 1) / sqrt n, the same formula as a loss's. */
export function accuracyErrorBar(correct: number, n: number): ErrorBar {
  return normalErrorBar(
    correct / n,
    proportionStandardError(correct, n),
    'standard error: std of per-row correctness (0 or 1, ddof 1) / \u221an = \u221a(acc(1 \u2212 acc)/(n \u2212 1)); 95% interval: \u00b11.96 standard errors',
  );
}

/** The ECE's 95% interval from its Poisson bootstrap (no standard error), and the noise floor beside it. */
export function calibrationErrorBars(table: ReliabilityTable): { errorBar: ErrorBar; noiseFloor: CalibrationNoiseFloor } {
  const { lower, upper, replicates, seed, exactRows } = table.eceInterval;
  const tail = Number.isFinite(exactRows)
    ? `; rows past the first ${exactRows.toLocaleString('en-US')} weighted through each bin's sums (a normal approximation of their Poisson-weighted sum)`
    : '';
  return {
    errorBar: {
      standardError: Number.NaN,
      lower,
      upper,
      method: `95% interval: the 2.5th and 97.5th percentiles of the ECE over ${replicates} Poisson(1) bootstrap replicates (seed ${seed})${tail}`,
    },
    noiseFloor: { value: table.eceNoiseFloor, method: NOISE_FLOOR_METHOD },
  };
}
