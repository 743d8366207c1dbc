import { CompensatedSum } from './compensatedSum';
import { logFactorial } from './logFactorial';

/** The normal distribution's 0.975 quantile: a two-sided 95% interval is mean +- this x standard error. */
export const Z_95 = 1.959964;

/** A figure's uncertainty: its standard error when it has one, a 95% interval, and how both were made. */
export interface ErrorBar {
  /** NaN where the figure has none (an interval from a bootstrap, fewer than two rows, an infinite loss). */
  readonly standardError: number;
  readonly lower: number;
  readonly upper: number;
  readonly method: string;
}

export const TOKEN_METHOD =
  'standard error: std of per-token losses (ddof 1) / \u221atokens, tokens taken as independent; 95% interval: \u00b11.96 standard errors';

export const MEAN_METHOD = 'standard error: std of per-row losses (ddof 1) / \u221an; 95% interval: \u00b11.96 standard errors';

/** The normal interval of a mean: value +- 1.96 se. */
export function normalErrorBar(value: number, standardError: number, method: string): ErrorBar {
  return { standardError, lower: value - Z_95 * standardError, upper: value + Z_95 * standardError, method };
}

/**
 * The standard error of a proportion k / n written as the mean of n values 0 or 1, with the
 * same formula as every other mean: std(correct, ddof 1) / sqrt n = sqrt(p (1 - p) / (n - 1)).
 */
export function proportionStandardError(successes: number, n: number): number {
  if (n < 2) return Number.NaN;
  const p = successes / n;
  return Math.sqrt((p * (1 - p)) / (n - 1));
}

/**
 * The perplexity exp(CE) with the interval exp(CE +- 1.96 se): the exponential of the
 * cross-entropy's interval (its standard error by the delta method, exp(CE) x se).
 */
export function perplexityErrorBar(crossEntropy: number, standardError: number): ErrorBar {
  const value = Math.exp(crossEntropy);
  return {
    standardError: value * standardError,
    lower: Math.exp(crossEntropy - Z_95 * standardError),
    upper: Math.exp(crossEntropy + Z_95 * standardError),
    method: '95% interval: exp(cross-entropy \u00b1 1.96 standard errors); standard error exp(CE) \u00d7 se(CE) by the delta method',
  };
}

/**
 * E|X - n p| for X ~ Binomial(n, p), exactly, by de Moivre's closed form
 * 2 nu C(n, nu) p^nu (1 - p)^(n - nu + 1) with nu = floor(n p) + 1, in log space (no product
 * of probabilities): one term whatever n is.
 */
export function binomialMeanAbsoluteDeviation(n: number, p: number): number {
  if (n <= 0 || p <= 0 || p >= 1) return 0;
  const nu = Math.floor(n * p) + 1;
  if (nu > n) return 0;
  const logTerm = Math.LN2 + Math.log(nu) + logFactorial(n) - logFactorial(nu) - logFactorial(n - nu) + nu * Math.log(p) + (n - nu + 1) * Math.log1p(-p);
  return Math.exp(logTerm);
}

/** A reliability bin as the noise floor reads it. */
export interface CalibrationBinCount {
  readonly count: number;
  /** NaN for an empty bin. */
  readonly meanConfidence: number;
}

/**
 * The ECE a perfectly calibrated model would show by chance with these bins: each bin's
 * correct count drawn as Binomial(n_b, c_b) with c_b the bin's mean confidence, so
 * E[ECE] = sum_b E|X_b - n_b c_b| / n, each term exact (binomialMeanAbsoluteDeviation).
 */
export function calibrationNoiseFloor(bins: readonly CalibrationBinCount[]): number {
  let total = 0;
  for (const bin of bins) total += bin.count;
  if (total === 0) return Number.NaN;
  const sum = new CompensatedSum();
  for (const { count, meanConfidence } of bins) if (count > 0) sum.add(binomialMeanAbsoluteDeviation(count, meanConfidence));
  return sum.value / total;
}

export const NOISE_FLOOR_METHOD =
  'the expected ECE of a perfectly calibrated model with the same rows per bin: each bin\u2019s correct count Binomial(n_b, mean confidence), E|X - n_b c_b| exact by de Moivre\u2019s formula';

/**
 * The standard error of a ratio mean sum(s_j) / sum(t_j) with the groups j as clusters (a
 * language model's sequences: its tokens are correlated, so per-token errors understate it):
 * e_j = s_j - r t_j, se = std(e, ddof 1) / (mean t x sqrt m) over the m groups, the
 * cluster-robust (delta method) standard error with the m / (m - 1) correction.
 */
export function clusteredRatioStandardError(sums: ArrayLike<number>, counts: ArrayLike<number>): number {
  const m = sums.length;
  if (m < 2) return Number.NaN;
  const sumTotal = new CompensatedSum();
  const countTotal = new CompensatedSum();
  for (let j = 0; j < m; j++) {
    sumTotal.add(sums[j]!);
    countTotal.add(counts[j]!);
  }
  const ratio = sumTotal.value / countTotal.value;
  const residuals = new CompensatedSum();
  for (let j = 0; j < m; j++) residuals.add(sums[j]! - ratio * counts[j]!);
  const meanResidual = residuals.value / m;
  const squares = new CompensatedSum();
  for (let j = 0; j < m; j++) {
    const d = sums[j]! - ratio * counts[j]! - meanResidual;
    squares.add(d * d);
  }
  return Math.sqrt(squares.value / (m - 1)) / ((countTotal.value / m) * Math.sqrt(m));
}

export const CLUSTERED_METHOD =
  'standard error with sequences as clusters: std over sequences of (NLL sum \u2212 CE \u00d7 tokens), ddof 1, / (mean tokens \u00d7 \u221asequences)';

/**
 * The column's central moments up to the fourth, streamed as compensated power sums of x - x0
 * (x0 the first value, so the sums stay near the spread rather than the level): what the
 * standard error of a fitted Gaussian's or exponential's NLL per row needs once the fit is known.
 */
export class CentralMomentsState {
  n = 0;
  private shift = Number.NaN;
  private readonly powers = [new CompensatedSum(), new CompensatedSum(), new CompensatedSum(), new CompensatedSum()] as const;

  add(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      if (Number.isNaN(this.shift)) this.shift = x;
      const d = x - this.shift;
      const d2 = d * d;
      this.powers[0].add(d);
      this.powers[1].add(d2);
      this.powers[2].add(d2 * d);
      this.powers[3].add(d2 * d2);
      this.n++;
    }
  }

  /** The second and fourth central moments, sum (x - mean)^k / n. */
  moments(): { readonly m2: number; readonly m4: number } {
    const n = this.n;
    const m = this.powers[0].value / n;
    const s2 = this.powers[1].value / n;
    const s3 = this.powers[2].value / n;
    const s4 = this.powers[3].value / n;
    const m2 = Math.max(0, s2 - m * m);
    return { m2, m4: Math.max(0, s4 - 4 * m * s3 + 6 * m * m * s2 - 3 * m * m * m * m) };
  }

  /**
   * std (ddof 1) / sqrt n of -log N(x; mu, sigma^2) at the MLE (sigma^2 = m2): the loss is
   * c + (x - mu)^2 / (2 sigma^2), whose variance over the rows is (m4 / m2^2 - 1) / 4.
   */
  gaussianNllStandardError(): number {
    const n = this.n;
    if (n < 2) return Number.NaN;
    const { m2, m4 } = this.moments();
    return Math.sqrt(((Math.max(0, m4 / (m2 * m2) - 1) / 4) * n) / (n - 1) / n);
  }

  /** std (ddof 1) / sqrt n of -log(lambda e^(-lambda x)) = lambda x - log lambda: lambda x std(x) / sqrt n. */
  exponentialNllStandardError(lambda: number): number {
    const n = this.n;
    if (n < 2) return Number.NaN;
    return lambda * Math.sqrt((this.moments().m2 * n) / (n - 1) / n);
  }
}
