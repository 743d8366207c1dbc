import { CompensatedSum } from './compensatedSum';
import { expNonPositive } from './expNonPositive';
import type { LabelledRows, RowMatrix, StreamingState } from './reduction';
import { RowError } from './rowError';
import { logGrid } from './fits/likelihoodCurve';

function checkLabel(label: number, k: number, row: number): void {
  if (!Number.isInteger(label) || label < 0 || label >= k)
    throw new RowError(row, Number.isNaN(label) ? 'the label is missing (NaN)' : `label ${label} is not a class index in 0..${k - 1}`);
}

/**
 * At one inverse temperature beta = 1/T, the cross-entropy of softmax(beta z) and its first two
 * derivatives in beta, as mergeable sums:
 *   f(beta)   = mean_i [lse(beta z_i) - beta z_{i,y_i}]
 *   f'(beta)  = mean_i [E_i z - z_{i,y_i}]   (E_i under softmax(beta z_i))
 *   f''(beta) = mean_i Var_i z  >= 0, so f is convex in beta.
 */
export class TemperatureMoments implements StreamingState<LabelledRows, TemperatureMoments> {
  readonly value = new CompensatedSum();
  readonly slope = new CompensatedSum();
  readonly curvature = new CompensatedSum();
  n = 0;
  private scaled = new Float64Array(0);

  constructor(readonly beta: number) {}

  consume(chunk: LabelledRows): void {
    const { labels, scores } = chunk;
    const first = chunk.firstRow ?? 0;
    const { k, values } = scores;
    if (this.scaled.length !== k) this.scaled = new Float64Array(k);
    const z = this.scaled;
    for (let i = 0; i < scores.n; i++) {
      const label = labels[i]!;
      checkLabel(label, k, first + i);
      let max = -Infinity;
      for (let j = 0; j < k; j++) {
        z[j] = this.beta * values[i * k + j]!;
        if (z[j]! > max) max = z[j]!;
      }
      // z becomes exp(z - max), then softmax(z): the exps of the log-sum-exp serve both.
      let total = 0;
      for (let j = 0; j < k; j++) total += z[j] = expNonPositive(z[j]! - max);
      const lse = max + Math.log(total);
      if (!Number.isFinite(lse)) throw new RowError(first + i, 'a logit is NaN or infinite');
      const inverse = 1 / total;
      let mean = 0;
      for (let j = 0; j < k; j++) {
        z[j]! *= inverse;
        mean += z[j]! * values[i * k + j]!;
      }
      const target = values[i * k + label]!;
      let variance = 0;
      for (let j = 0; j < k; j++) {
        const d = values[i * k + j]! - mean;
        variance += z[j]! * d * d;
      }
      const scaledTarget = this.beta * target;
      this.value.add(lse - scaledTarget);
      this.slope.add(mean - target);
      this.curvature.add(variance);
      this.n++;
    }
  }

  merge(other: TemperatureMoments): void {
    this.value.merge(other.value);
    this.slope.merge(other.slope);
    this.curvature.merge(other.curvature);
    this.n += other.n;
  }

  get crossEntropy(): number {
    return this.value.value / this.n;
  }

  get derivative(): number {
    return this.slope.value / this.n;
  }

  get secondDerivative(): number {
    return this.curvature.value / this.n;
  }
}

/** Cross-entropy of softmax(z / T) at each temperature of a fixed grid, in one streaming pass. */
export class TemperatureCurveState implements StreamingState<LabelledRows, TemperatureCurveState> {
  private readonly sums: CompensatedSum[];
  n = 0;

  constructor(readonly temperatures: readonly number[]) {
    this.sums = temperatures.map(() => new CompensatedSum());
  }

  consume(chunk: LabelledRows): void {
    const { labels, scores } = chunk;
    const first = chunk.firstRow ?? 0;
    const { n, k, values } = scores;
    // Each row's largest logit is the largest of z / T at every T > 0: found once, not per T.
    const rowMax = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      checkLabel(labels[i]!, k, first + i);
      let max = -Infinity;
      for (let j = 0; j < k; j++) if (values[i * k + j]! > max) max = values[i * k + j]!;
      rowMax[i] = max;
    }
    this.temperatures.forEach((t, g) => {
      const sum = this.sums[g]!;
      const beta = 1 / t;
      for (let i = 0; i < n; i++) {
        const max = rowMax[i]!;
        let total = 0;
        for (let j = 0; j < k; j++) total += expNonPositive((values[i * k + j]! - max) * beta);
        // lse(z / T) - z_y / T, with the maximum taken out of the log-sum-exp.
        sum.add(Math.log(total) + (max - values[i * k + labels[i]!]!) * beta);
      }
    });
    this.n += n;
  }

  merge(other: TemperatureCurveState): void {
    this.sums.forEach((s, g) => s.merge(other.sums[g]!));
    this.n += other.n;
  }

  get crossEntropy(): number[] {
    return this.sums.map((s) => s.value / this.n);
  }
}

export interface TemperatureFit {
  /** The T minimising the cross-entropy of softmax(z / T). */
  readonly temperature: number;
  readonly crossEntropy: number;
  /** The cross-entropy of the logits as given (T = 1). */
  readonly crossEntropyAtOne: number;
  /** True when the minimum is not inside [minTemperature, maxTemperature] (e.g. every row already correct, so smaller T always helps). */
  readonly atBoundary: boolean;
  readonly iterations: number;
  readonly curve: { readonly temperature: number[]; readonly crossEntropy: number[] };
}

export interface TemperatureOptions {
  readonly minTemperature?: number;
  readonly maxTemperature?: number;
  readonly gridPoints?: number;
  readonly relativeTolerance?: number;
}

function moments(labels: ArrayLike<number>, logits: RowMatrix, beta: number): TemperatureMoments {
  const m = new TemperatureMoments(beta);
  m.consume({ labels, scores: logits });
  return m;
}

/**
 * Temperature scaling: minimises CE(T) on log T. Comparing function values (golden section,
 * Brent) cannot place a smooth minimum closer than about sqrt(machine epsilon) ~ 1e-8 relative,
 * because CE is flat there; so instead the root of dCE/dbeta (beta = 1/T, where CE is convex)
 * is found by Newton steps kept inside a sign-change bracket, with bisection in log beta as
 * the fallback. Each evaluation is one mergeable pass over the rows.
 */
export function fitTemperature(labels: ArrayLike<number>, logits: RowMatrix, options: TemperatureOptions = {}): TemperatureFit {
  const minT = options.minTemperature ?? 1e-3;
  const maxT = options.maxTemperature ?? 1e3;
  const tolerance = options.relativeTolerance ?? 1e-13;
  const grid = logGrid(Math.max(minT, 0.05), Math.min(maxT, 20), options.gridPoints ?? 200);
  const curveState = new TemperatureCurveState(grid);
  curveState.consume({ labels, scores: logits });
  const curve = { temperature: grid, crossEntropy: curveState.crossEntropy };
  const crossEntropyAtOne = moments(labels, logits, 1).crossEntropy;

  let lo = 1 / maxT; // small beta: slope should be < 0 there
  let hi = 1 / minT;
  const atLo = moments(labels, logits, lo);
  const atHi = moments(labels, logits, hi);
  if (atLo.derivative >= 0 || atHi.derivative <= 0) {
    const edge = atLo.derivative >= 0 ? atLo : atHi;
    return { temperature: 1 / edge.beta, crossEntropy: edge.crossEntropy, crossEntropyAtOne, atBoundary: true, iterations: 0, curve };
  }
  let beta = Math.min(hi, Math.max(lo, 1));
  let iterations = 0;
  let current = moments(labels, logits, beta);
  for (; iterations < 200; iterations++) {
    const g = current.derivative;
    if (g === 0) break;
    if (g < 0) lo = beta;
    else hi = beta;
    const h = current.secondDerivative;
    let next = h > 0 ? beta - g / h : Number.NaN;
    if (!(next > lo && next < hi)) next = Math.sqrt(lo * hi);
    const step = Math.abs(next - beta);
    beta = next;
    current = moments(labels, logits, beta);
    if (step <= tolerance * beta || hi - lo <= tolerance * beta) break;
  }
  return { temperature: 1 / beta, crossEntropy: current.crossEntropy, crossEntropyAtOne, atBoundary: false, iterations: iterations + 1, curve };
}
