import { BernoulliFitState } from '../../../engine/fits/bernoulliFit';
import { CategoricalFitState } from '../../../engine/fits/categoricalFit';
import { EmpiricalDistributionState } from '../../../engine/fits/empiricalDistribution';
import { ExponentialFitState } from '../../../engine/fits/exponentialFit';
import { GaussianFitState } from '../../../engine/fits/gaussianFit';
import type { FitResult } from '../../../engine/fits/likelihoodCurve';
import { MAX_POISSON_COUNT, PoissonFitState, poissonLogPmf } from '../../../engine/fits/poissonFit';
import { CentralMomentsState } from '../../../engine/uncertainty';
import type { RowBatch } from '../../rows/rowBatch';
import type { FitFamily } from '../../../roles/vocabulary';

export type AnyFitResult = FitResult<{ theta: number } | { probabilities: number[] } | { mu: number; sigma: number } | { lambda: number }>;

/** Class indices with at most this many distinct values read as categories; more read as counts. */
const MAX_CATEGORIES = 10;

/**
 * Indices from 0 up to this (exclusive) read as classes without being asked: a categorical fit
 * gives every index up to the largest a probability, so a few large integers (a year, an id, a
 * phone number) are counts, not one class among millions.
 */
const MAX_DETECTED_CLASSES = 100;

/**
 * A family for a column from its values, with the reason: {0, 1} is Bernoulli; other
 * non-negative integers are class indices when they take few, small values and counts
 * (Poisson) otherwise, up to 2^53 (beyond, float64 holds them as reals); anything else is
 * Gaussian. Non-negative reals could be exponential, but being non-negative is not evidence
 * of an exponential shape, so that is left to the user.
 */
export function detectFamily(values: ArrayLike<number>): { dist: FitFamily; reason: string } {
  const distinct = new Set<number>();
  let integers = true;
  let negative = false;
  let largest = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    if (distinct.size <= MAX_CATEGORIES) distinct.add(v);
    if (!Number.isInteger(v)) integers = false;
    if (v < 0) negative = true;
    if (v > largest) largest = v;
  }
  const counts = integers && !negative;
  if (counts && [...distinct].every((v) => v === 0 || v === 1)) return { dist: 'bernoulli', reason: 'every value is 0 or 1' };
  if (counts && largest > MAX_POISSON_COUNT)
    return { dist: 'gaussian', reason: `integers up to ${largest}, beyond 2^53 where float64 stops holding every integer: read as real values` };
  if (counts && distinct.size <= MAX_CATEGORIES && largest < MAX_DETECTED_CLASSES)
    return { dist: 'categorical', reason: `non-negative integers taking ${distinct.size} values: read as class indices` };
  if (counts && distinct.size <= MAX_CATEGORIES)
    return {
      dist: 'poisson',
      reason: `non-negative integers up to ${largest}, too large to be class indices (at most ${MAX_DETECTED_CLASSES - 1}): read as counts`,
    };
  if (counts) return { dist: 'poisson', reason: `non-negative integers taking more than ${MAX_CATEGORIES} values: read as counts` };
  return {
    dist: 'gaussian',
    reason: negative || integers ? 'real values' : 'non-negative real values (read as Gaussian; choose exponential if they are waiting times or sizes)',
  };
}

type FitState = BernoulliFitState | CategoricalFitState | GaussianFitState | PoissonFitState | ExponentialFitState;

function stateFor(dist: FitFamily): FitState {
  switch (dist) {
    case 'bernoulli':
      return new BernoulliFitState();
    case 'categorical':
      return new CategoricalFitState();
    case 'gaussian':
      return new GaussianFitState();
    case 'poisson':
      return new PoissonFitState();
    case 'exponential':
      return new ExponentialFitState();
  }
}

/** log q(x) under a fitted model, for the per-row losses of reduction='none'. */
export function logDensity(fit: AnyFitResult, x: number): number {
  const e = fit.estimates as { theta?: number; probabilities?: number[]; mu?: number; sigma?: number; lambda?: number };
  switch (fit.family) {
    case 'bernoulli':
      return Math.log(x === 1 ? e.theta! : 1 - e.theta!);
    case 'categorical':
      return Math.log(e.probabilities![x]!);
    case 'gaussian': {
      const z = (x - e.mu!) / e.sigma!;
      return -0.5 * Math.log(2 * Math.PI) - Math.log(e.sigma!) - 0.5 * z * z;
    }
    case 'poisson':
      return poissonLogPmf(x, e.lambda!);
    case 'exponential':
      return Math.log(e.lambda!) - e.lambda! * x;
  }
}

/** One pass of an unconditional fit over batches of one column: the family's sufficient statistics, and the distinct values with their counts. */
export class FitPass {
  readonly state: FitState;
  /** The column's distinct values and counts, apart from `state`: log L by a second route. */
  readonly empirical = new EmpiricalDistributionState();
  /** The column's central moments, for the standard error of a Gaussian's or exponential's NLL when the distinct values are too many to keep. */
  readonly moments = new CentralMomentsState();
  /** The values themselves, kept only for reduction='none' (each row's loss needs the fitted parameter). */
  readonly values: number[] | undefined;

  constructor(
    readonly dist: FitFamily,
    keepValues: boolean,
  ) {
    this.state = stateFor(dist);
    this.values = keepValues ? [] : undefined;
  }

  push(batch: RowBatch): void {
    this.state.consume({ values: batch.values, firstRow: batch.firstRow });
    this.empirical.consume({ values: batch.values, firstRow: batch.firstRow });
    if (this.dist === 'gaussian' || this.dist === 'exponential') this.moments.add(batch.values);
    if (this.values) for (const value of batch.values) this.values.push(value);
  }

  fit(): AnyFitResult {
    return this.state.fit();
  }
}
