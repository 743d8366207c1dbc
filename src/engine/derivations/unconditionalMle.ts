import { checkIdentity, type Derivation, type DerivationStep } from '../derivation';
import type { EmpiricalSum } from '../fits/empiricalDistribution';
import type { FitResult } from '../fits/likelihoodCurve';
import { latexNumber, latexScientific, latexText } from '../format';
import { scientificFromLog } from '../logSpace';

type AnyFit = FitResult<{ theta: number } | { probabilities: number[] } | { mu: number; sigma: number } | { lambda: number }>;

/** Class probabilities written out in the model step: a fit may hold 2^18 classes, more than a formula can show. */
const SHOWN_PROBABILITIES = 12;

function probabilityList(probabilities: readonly number[]): string {
  const shown = probabilities.slice(0, SHOWN_PROBABILITIES).map((p) => latexNumber(p, 6));
  return probabilities.length > SHOWN_PROBABILITIES
    ? `(${shown.join(',\\,')},\\,\\ldots)\\ \\text{over ${probabilities.length} classes}`
    : `(${shown.join(',\\,')})`;
}

/** The family's density with its MLE written in, and how the MLE is computed. */
function model(fit: AnyFit): { density: string; estimate: string; note: string } {
  const e = fit.estimates as Record<string, number | number[]>;
  switch (fit.family) {
    case 'bernoulli':
      return {
        density: `q_\\theta(x) = \\theta^{x}(1-\\theta)^{1-x}`,
        estimate: `\\hat\\theta = \\frac{1}{n}\\sum_i x_i = ${latexNumber(e.theta as number, 10)}`,
        note: 'Setting the derivative of the log-likelihood to 0 gives the share of ones.',
      };
    case 'categorical':
      return {
        density: `q_\\pi(x) = \\pi_x`,
        estimate: `\\hat\\pi_c = \\frac{n_c}{n} = ${probabilityList(e.probabilities as number[])}`,
        note: 'Maximising sum_c n_c log pi_c under sum_c pi_c = 1 gives the class frequencies.',
      };
    case 'gaussian':
      return {
        density: `q_{\\mu,\\sigma}(x) = \\frac{1}{\\sqrt{2\\pi}\\sigma}e^{-(x-\\mu)^2/(2\\sigma^2)}`,
        estimate: `\\hat\\mu = \\bar x = ${latexNumber(e.mu as number, 10)},\\quad \\hat\\sigma = \\sqrt{\\tfrac{1}{n}\\sum_i (x_i-\\bar x)^2} = ${latexNumber(e.sigma as number, 10)}`,
        note: 'The MLE of sigma divides by n, not n - 1: it is the maximiser, not the unbiased estimate.',
      };
    case 'poisson':
      return {
        density: `q_\\lambda(x) = \\frac{\\lambda^{x}e^{-\\lambda}}{x!}`,
        estimate: `\\hat\\lambda = \\bar x = ${latexNumber(e.lambda as number, 10)}`,
        note: 'log L = (sum x) log lambda - n lambda - sum log x!, maximal at the mean count.',
      };
    case 'exponential':
      return {
        density: `q_\\lambda(x) = \\lambda e^{-\\lambda x}`,
        estimate: `\\hat\\lambda = 1/\\bar x = ${latexNumber(e.lambda as number, 10)}`,
        note: 'log L = n log lambda - lambda sum x, maximal at the reciprocal of the mean.',
      };
  }
}

/** Step (3): the average NLL as the cross-entropy with the empirical distribution, checked when the distinct values were tabulated apart from the fit. */
function crossEntropyStep(fit: AnyFit, empirical: EmpiricalSum | string): DerivationStep {
  const title = 'Cross-entropy with the data';
  const limit = `\\;\\xrightarrow{n\\to\\infty}\\; \\mathbb{E}_{p(x)}[-\\log q_{\\hat\\theta}(x)]`;
  const reading =
    'The average NLL is exactly the cross-entropy between the empirical distribution of the column and the model; with more data it tends to the cross-entropy with the true distribution.';
  if (typeof empirical === 'string' || !Number.isFinite(fit.logLikelihood)) {
    return {
      id: 'cross-entropy',
      tag: '(3)',
      title,
      latex: `H(\\hat p_{\\text{data}}, q_{\\hat\\theta}) = \\mathbb{E}_{\\hat p_{\\text{data}}}[-\\log q_{\\hat\\theta}(x)] = ${latexNumber(fit.averageNll, 10)}${limit}`,
      note: `${reading} ${typeof empirical === 'string' ? `It is not summed over the distinct values here: ${empirical}.` : 'The log-likelihood is not finite, so there is nothing to compare.'}`,
      restatement: 'the average NLL above',
    };
  }
  return {
    id: 'cross-entropy',
    tag: '(3)',
    title,
    latex: `H(\\hat p_{\\text{data}}, q_{\\hat\\theta}) = -\\sum_{v} \\hat p_{\\text{data}}(v)\\log q_{\\hat\\theta}(v) = -\\frac{1}{${fit.n}}\\sum_{v} n_v\\log q_{\\hat\\theta}(v) = ${latexNumber(-empirical.logLikelihood / fit.n, 10)}${limit}`,
    note: `${reading} Summed here over the ${empirical.distinct} distinct values v, each once with its count n_v, from a table kept apart from the fit\u2019s statistics.`,
    check: checkIdentity('sum over rows of log q = sum over distinct values of n_v log q', fit.logLikelihood, empirical.logLikelihood),
  };
}

/**
 * Equations (1)-(3) of the unconditional derivation with a fitted column: the likelihood, the
 * log-likelihood, the average NLL and its reading as a cross-entropy with the empirical
 * distribution, at the fitted parameter. `empirical` is log L summed over the column's distinct
 * values (EmpiricalDistributionState), or why there is no such sum.
 */
export function unconditionalMleDerivation(fit: AnyFit, columnName: string, empirical: EmpiricalSum | string): Derivation {
  const n = fit.n;
  const m = model(fit);
  const likelihood = scientificFromLog(fit.logLikelihood);
  const curve = fit.curves[0];
  const curveMax = curve ? Math.max(...curve.logLikelihood) : fit.logLikelihood;
  const steps: DerivationStep[] = [
    {
      id: 'model',
      title: `A ${fit.family} model for ${columnName}`,
      latex: `${m.density},\\qquad ${m.estimate}`,
      note: m.note,
      source: columnName,
    },
    {
      id: 'likelihood',
      tag: '(1)',
      title: 'Likelihood',
      latex: `\\hat\\theta = \\arg\\max_\\theta \\prod_{i=1}^{${n}} q_\\theta(x_i),\\qquad L(\\hat\\theta) = ${latexScientific(likelihood)}`,
      note: `How probable the ${n} observed values are together under the model, treating them as independent draws.`,
      source: columnName,
    },
    {
      id: 'log-likelihood',
      tag: '(2)',
      title: 'Log-likelihood',
      latex: `\\log L(\\hat\\theta) = \\sum_{i=1}^{${n}} \\log q_{\\hat\\theta}(x_i) = ${latexNumber(fit.logLikelihood, 10)}`,
      note: 'Taking logs keeps the maximiser (log is increasing) and turns the product into a sum that cannot underflow.',
    },
    {
      id: 'curve',
      title: `The log-likelihood over ${curve ? latexText(curve.parameter) : 'the parameter'}`,
      latex: `\\max_{\\text{grid}} \\log L = ${latexNumber(curveMax, 10)} = \\log L(\\hat\\theta)`,
      note: 'Evaluated from sufficient statistics on a grid; the fitted value is the highest point, as it must be.',
      check: checkIdentity('grid maximum = log L at the MLE', curveMax, fit.logLikelihood),
    },
    {
      id: 'average-nll',
      title: 'Average negative log-likelihood',
      latex: `\\hat\\theta = \\arg\\min_\\theta \\frac{1}{n}\\sum_{i=1}^{n} -\\log q_\\theta(x_i),\\qquad -\\frac{${latexNumber(fit.logLikelihood, 10)}}{${n}} = ${latexNumber(fit.averageNll, 10)}`,
      note: 'Scaling by 1/n and flipping the sign changes max to min and keeps the same parameter.',
      restatement: 'the log-likelihood above, divided by -n',
    },
    crossEntropyStep(fit, empirical),
  ];
  return { id: `unconditional-mle-${fit.family}`, title: `Maximum likelihood fit of ${columnName} (${fit.family})`, steps };
}
