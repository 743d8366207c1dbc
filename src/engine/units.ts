import { LN10, scientificFromLog, type ScientificNumber } from './logSpace';

/** Units of information: nats (natural log, the default), bits (log2) or decimal digits (log10). */
export type InformationUnit = 'nats' | 'bits' | 'digits';

const NATS_PER_UNIT: Record<InformationUnit, number> = { nats: 1, bits: Math.LN2, digits: LN10 };

/** A loss, entropy or log-likelihood in nats expressed in `unit`. */
export function convertNats(nats: number, unit: InformationUnit): number {
  return unit === 'nats' ? nats : nats / NATS_PER_UNIT[unit];
}

export function unitSymbol(unit: InformationUnit): string {
  return unit === 'nats' ? 'nats' : unit === 'bits' ? 'bits' : 'digits';
}

/** exp of the mean NLL in nats; the same number as 2^bits or 10^digits, so it has no unit. */
export function perplexity(meanNllNats: number): number {
  return Math.exp(meanNllNats);
}

/** The likelihood L = exp(log L) described without ever forming it: log in each base, and mantissa x 10^exponent. */
export interface LikelihoodInUnits {
  readonly logLikelihood: number;
  readonly log2Likelihood: number;
  readonly log10Likelihood: number;
  readonly scientific: ScientificNumber;
}

export function likelihoodInUnits(logLikelihoodNats: number): LikelihoodInUnits {
  return {
    logLikelihood: logLikelihoodNats,
    log2Likelihood: logLikelihoodNats / Math.LN2,
    log10Likelihood: logLikelihoodNats / LN10,
    scientific: scientificFromLog(logLikelihoodNats),
  };
}
