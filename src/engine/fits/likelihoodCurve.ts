/** The log-likelihood as a function of one parameter, with its maximum marked. */
export interface LikelihoodCurve {
  readonly parameter: string;
  readonly x: number[];
  readonly logLikelihood: number[];
  /** Index in x of the MLE, which is always one of the points. */
  readonly maxIndex: number;
}

/** Evaluates `logLikelihood` on the grid with the MLE inserted in order, so the peak is drawn exactly. */
export function curveWithMaximum(parameter: string, grid: readonly number[], mle: number, logLikelihood: (value: number) => number): LikelihoodCurve {
  const x = grid.filter((v) => v !== mle);
  let at = x.findIndex((v) => v > mle);
  if (at < 0) at = x.length;
  x.splice(at, 0, mle);
  return { parameter, x, logLikelihood: x.map(logLikelihood), maxIndex: at };
}

export function linearGrid(lo: number, hi: number, points: number): number[] {
  return Array.from({ length: points }, (_, i) => (points === 1 ? lo : lo + ((hi - lo) * i) / (points - 1)));
}

export function logGrid(lo: number, hi: number, points: number): number[] {
  const a = Math.log(lo);
  const b = Math.log(hi);
  return linearGrid(a, b, points).map(Math.exp);
}

/** Result of an unconditional fit of one column. */
export interface FitResult<Estimates> {
  readonly family: 'bernoulli' | 'categorical' | 'gaussian' | 'poisson' | 'exponential';
  readonly n: number;
  readonly estimates: Estimates;
  /** sum_i log q_theta_hat(x_i). */
  readonly logLikelihood: number;
  /** -log L / n: the cross-entropy between the empirical distribution and the fitted model. */
  readonly averageNll: number;
  readonly curves: readonly LikelihoodCurve[];
}

export const DEFAULT_GRID_POINTS = 200;

/** x log y with 0 log 0 = 0, the convention that makes log-likelihoods at boundary MLEs finite. */
export function xlogy(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(y);
}
