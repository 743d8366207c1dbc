import { LN10 } from '../../engine/logSpace';
import type { SummaryBase } from '../results';
import { meanLossErrorBars } from './errorBars';

/**
 * The fields every summary shares, from the row count, the log-likelihood in nats and the
 * standard error of the mean loss per row (std of the per-row losses, ddof 1, / sqrt n).
 */
export function summaryBase(n: number, logLikelihood: number, standardError: number, options: { readonly perplexity?: boolean } = {}): SummaryBase {
  const crossEntropy = -logLikelihood / n;
  return {
    n,
    crossEntropy,
    logLikelihood,
    log10Likelihood: logLikelihood / LN10,
    crossEntropyStdError: standardError,
    errorBars: meanLossErrorBars(crossEntropy, standardError, options),
  };
}
