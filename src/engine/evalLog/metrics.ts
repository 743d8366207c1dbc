/**
 * lm-evaluation-harness's per-document metrics and their aggregations, as lm_eval/api/task.py
 * (process_results) and lm_eval/api/metrics.py compute them, so a samples file can be checked
 * against what it stores.
 */
import { CompensatedSum } from '../compensatedSum';
import { wordCount } from '../../readers/tokenizer/textSize';

/** Python's len(): code points, not UTF-16 units (an emoji is 1, not 2). */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

const encoder = new TextEncoder();
/** len(text.encode('utf-8')). */
export const utf8Length = (text: string): number => encoder.encode(text).length;

/** np.argmax: the first index of the largest value (NaN wins, as NumPy's does). */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) {
    if (Number.isNaN(values[best]!)) return best;
    if (values[i]! > values[best]! || Number.isNaN(values[i]!)) best = i;
  }
  return best;
}

export interface MultipleChoiceScores {
  /** argmax of the log-likelihoods, of them over the choice's characters, and over its UTF-8 bytes. */
  readonly pred: number;
  readonly predNorm: number;
  readonly predBytes: number;
  readonly acc: number;
  readonly accNorm: number;
  readonly accBytes: number;
}

/** One document of a multiple-choice task: `gold` -100 (not among the choices) scores 0, as lm-eval does. */
export function scoreMultipleChoice(lls: readonly number[], choices: readonly string[], gold: number): MultipleChoiceScores {
  const pred = argmax(lls);
  const predNorm = argmax(lls.map((ll, i) => ll / codePointLength(choices[i]!)));
  const predBytes = argmax(lls.map((ll, i) => ll / utf8Length(choices[i]!)));
  return { pred, predNorm, predBytes, acc: pred === gold ? 1 : 0, accNorm: predNorm === gold ? 1 : 0, accBytes: predBytes === gold ? 1 : 0 };
}

/** log-softmax of the choices' log-likelihoods: utils.softmax(lls) in log space, by log-sum-exp. */
export function logSoftmax(lls: readonly number[]): number[] {
  let max = -Infinity;
  for (const v of lls) if (v > max) max = v;
  let total = 0;
  for (const v of lls) total += Math.exp(v - max);
  const lse = max + Math.log(total);
  return lls.map((v) => v - lse);
}

/** mean and mean_stderr (sample std, ddof 1, over sqrt n) of a per-document metric, from compensated sums about the first value. */
export class MeanState {
  n = 0;
  private pivot = 0;
  private readonly sum = new CompensatedSum();
  private readonly squares = new CompensatedSum();

  add(value: number): void {
    if (this.n === 0) this.pivot = value;
    const d = value - this.pivot;
    this.sum.add(d);
    this.squares.add(d * d);
    this.n++;
  }

  get mean(): number {
    return this.n === 0 ? Number.NaN : this.pivot + this.sum.value / this.n;
  }

  /** sqrt(sum (x - mean)^2 / (n - 1)) / sqrt(n); NaN below two documents, where lm-eval writes "N/A". */
  get stderr(): number {
    if (this.n < 2) return Number.NaN;
    const s = this.sum.value;
    const variance = Math.max(0, (this.squares.value - (s * s) / this.n) / (this.n - 1));
    return Math.sqrt(variance) / Math.sqrt(this.n);
  }
}

/** lm-eval's weighted perplexities over [loglikelihood, count] pairs: sums of each, compensated. */
export class WeightedLogLikelihood {
  readonly logLikelihood = new CompensatedSum();
  readonly count = new CompensatedSum();
  add(ll: number, count: number): void {
    this.logLikelihood.add(ll);
    this.count.add(count);
  }
  /** weighted_mean: sum ll / sum count. */
  get weightedMean(): number {
    return this.logLikelihood.value / this.count.value;
  }
  /** weighted_perplexity: exp(-weighted_mean). */
  get perplexity(): number {
    return Math.exp(-this.weightedMean);
  }
  /** bits_per_byte: -weighted_mean / ln 2. */
  get bitsPerByte(): number {
    return -this.weightedMean / Math.LN2;
  }
}

/** count_words: len(re.split(r"\s+", text)), with Python's \s (one definition, shared with the token view's text size). */
export const countWords = wordCount;
