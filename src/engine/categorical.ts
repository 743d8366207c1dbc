import { logSumExp } from './logSpace';

/** What a row of K prediction values means. */
export type PredictionKind = 'probs' | 'logits' | 'logprobs';

/** n rows of K class scores, row-major. */
export interface ClassScores {
  readonly n: number;
  readonly k: number;
  readonly values: Float64Array | Float32Array;
}

export interface KindDecision {
  readonly kind: PredictionKind;
  /** One sentence saying why, shown in the panel and the CLI. */
  readonly reason: string;
}

/**
 * The kind a pass reads predictions as: the one asked for, else the one detected on `sample`.
 * When asked, the reason still says what the values look like, so a wrong override shows.
 * `qualify` lets a caller qualify the detected reason (say, that it saw only the first rows).
 */
export function choosePredictionKind(
  sample: ClassScores,
  asked: PredictionKind | undefined,
  qualify: (reason: string) => string = (reason) => reason,
): KindDecision & { readonly detected: KindDecision } {
  const detected = detectPredictionKind(sample);
  if (asked === undefined) return { kind: detected.kind, reason: qualify(detected.reason), detected };
  return { kind: asked, reason: `read as ${asked} as asked (the values look like ${detected.kind}: ${detected.reason})`, detected };
}

/** How far from 1 a row of probabilities may sum and still count as a distribution. */
export const ROW_SUM_TOLERANCE = 1e-4;

/** Rows whose values, read as `kind`, do not form a distribution (sum of probabilities != 1). */
function rowsNotNormalised(scores: ClassScores, kind: Exclude<PredictionKind, 'logits'>, limit = 20): { count: number; rows: number[] } {
  const { n, k, values } = scores;
  const rows: number[] = [];
  let count = 0;
  for (let i = 0; i < n; i++) {
    const total = kind === 'probs' ? rowSum(values, i * k, k) : Math.exp(logSumExp(values, i * k, k));
    // A row with a missing value (NaN) is left out where it is scored: it says nothing of the kind.
    if (Number.isNaN(total)) continue;
    if (!(Math.abs(total - 1) <= ROW_SUM_TOLERANCE)) {
      count++;
      if (rows.length < limit) rows.push(i);
    }
  }
  return { count, rows };
}

function rowSum(values: ArrayLike<number>, offset: number, k: number): number {
  let total = 0;
  for (let j = 0; j < k; j++) total += values[offset + j]!;
  return total;
}

/**
 * Decides from the values whether rows are probabilities, log-probabilities or logits: the
 * classic bug is feeding softmax outputs to a loss that expects logits (pytorch#55902), so the
 * choice is always stated.
 */
export function detectPredictionKind(scores: ClassScores): KindDecision {
  const { values } = scores;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (scores.k === 1) {
    return min >= 0 && max <= 1
      ? { kind: 'probs', reason: 'one column with every value in [0, 1]: read as the probability of class 1' }
      : { kind: 'logits', reason: 'one column with values outside [0, 1]: read as the logit of class 1' };
  }
  if (min >= 0 && max <= 1) {
    const off = rowsNotNormalised(scores, 'probs', 0).count;
    return off === 0
      ? { kind: 'probs', reason: 'every value is in [0, 1] and every row sums to 1' }
      : { kind: 'probs', reason: `every value is in [0, 1], though ${off} row(s) do not sum to 1` };
  }
  if (max <= 0 && rowsNotNormalised(scores, 'logprobs', 0).count === 0) {
    return { kind: 'logprobs', reason: 'every value is <= 0 and every row has log-sum-exp 0' };
  }
  // Logits almost never form rows summing to 1: when most rows are distributions, the others
  // are typos to point at, not a reason to read the whole file as logits.
  const distributions = countDistributionRows(scores);
  if (2 * distributions.probs > scores.n) {
    return {
      kind: 'probs',
      reason: `${distributions.probs} of ${scores.n} rows are probability distributions; the other ${scores.n - distributions.probs} are not`,
    };
  }
  if (2 * distributions.logprobs > scores.n) {
    return {
      kind: 'logprobs',
      reason: `${distributions.logprobs} of ${scores.n} rows are log-probability distributions; the other ${scores.n - distributions.logprobs} are not`,
    };
  }
  return { kind: 'logits', reason: 'values fall outside [0, 1] and rows are not log-probabilities: read as logits (softmax applied)' };
}

/** Rows that are distributions as probabilities (in [0, 1], summing to 1) or as log-probabilities. */
function countDistributionRows({ n, k, values }: ClassScores): { probs: number; logprobs: number } {
  let probs = 0;
  let logprobs = 0;
  for (let i = 0; i < n; i++) {
    const offset = i * k;
    let inUnit = true;
    let nonPositive = true;
    for (let j = 0; j < k; j++) {
      const v = values[offset + j]!;
      if (!(v >= 0 && v <= 1)) inUnit = false;
      if (!(v <= 0)) nonPositive = false;
    }
    if (inUnit && Math.abs(rowSum(values, offset, k) - 1) <= ROW_SUM_TOLERANCE) probs++;
    else if (nonPositive && Math.abs(Math.exp(logSumExp(values, offset, k)) - 1) <= ROW_SUM_TOLERANCE) logprobs++;
  }
  return { probs, logprobs };
}
