import { LN10 } from '../../engine/logSpace';
import type { SummaryBase } from '../results';

/** The fields every summary shares, from the row count and the log-likelihood in nats. */
export function summaryBase(n: number, logLikelihood: number): SummaryBase {
  return { n, crossEntropy: -logLikelihood / n, logLikelihood, log10Likelihood: logLikelihood / LN10 };
}
