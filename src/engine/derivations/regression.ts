import { checkIdentity, type Derivation, type DerivationStep } from '../derivation';
import { latexNumber } from '../format';
import { LOG_SQRT_2PI, type PredictedVarianceState, type SquaredErrorState } from '../regression';

/**
 * Regression with a fixed sigma: the Gaussian log-density, why its argmin over the model is
 * the MSE's, and the MLE of sigma, with this file's numbers. `summedLogDensity` is log L at
 * sigma summed value by value (GaussianLogDensityState), checked against the closed form from
 * the sum of squared errors.
 */
export function fixedSigmaRegressionDerivation(state: SquaredErrorState, sigma: number, summedLogDensity: number): Derivation {
  const { n, k } = state;
  const nll = state.gaussianNll(sigma);
  const mse = state.mse;
  const sigmaHat = state.sigmaMle;
  const constant = n * k * (LOG_SQRT_2PI + Math.log(sigma));
  const steps: DerivationStep[] = [
    {
      id: 'gaussian-log-density',
      title: 'The Gaussian model of the targets',
      latex: `\\log q_\\theta(y\\mid x) = -\\log\\sqrt{(2\\pi)^{${k}}\\sigma^{${2 * k}}} - \\frac{1}{2\\sigma^2}\\lVert y - M_\\theta(x)\\rVert_2^2,\\qquad \\sigma = ${latexNumber(sigma)}`,
      note: `The prediction is the mean of a normal distribution with the same fixed variance in each of the ${k} output(s).`,
    },
    {
      id: 'gaussian-nll',
      title: 'Negative log-likelihood at this sigma',
      latex: `-\\log L = ${n * k}\\log(\\sqrt{2\\pi}\\,${latexNumber(sigma)}) + \\frac{\\sum_i\\lVert y_i-\\hat y_i\\rVert^2}{2\\cdot ${latexNumber(sigma)}^2} = ${latexNumber(constant, 10)} + ${latexNumber(nll - constant, 10)} = ${latexNumber(nll, 10)}`,
      note: 'The first term depends on sigma only; the second is the sum of squared errors scaled by a fixed positive number. Checked against the log-density summed value by value.',
      check: checkIdentity('sum of -log N(y; y hat, sigma^2) per value = n k log(sqrt(2 pi) sigma) + SSE / (2 sigma^2)', -summedLogDensity, nll),
    },
    {
      id: 'argmin-mse',
      title: 'Why the argmin is the MSE\u2019s',
      latex: `-\\log L = \\text{const} + \\frac{n k}{2\\sigma^2}\\,\\mathrm{MSE},\\qquad \\mathrm{MSE} = ${latexNumber(mse, 10)}`,
      note: 'With sigma fixed, the NLL is an increasing affine function of the MSE, so the model parameters that minimise one minimise the other.',
      restatement: 'the NLL above, with the sum of squared errors written as n k MSE',
    },
    state.perfectFit
      ? {
          id: 'sigma-mle',
          title: 'The MLE of sigma',
          latex: `\\sum_{i=1}^{n}\\lVert y_i-\\hat y_i\\rVert^2 = 0 \\;\\Rightarrow\\; -\\log L(\\sigma) = ${n * k}\\log(\\sqrt{2\\pi}\\,\\sigma) \\xrightarrow[\\sigma\\to 0]{} -\\infty,\\quad \\hat\\sigma = 0,\\quad -\\log L(\\hat\\sigma) = -\\infty`,
          note: 'Every prediction equals its target, so the squared-error term vanishes and the NLL falls without bound as sigma shrinks: the MLE of sigma is 0 and the NLL there is -inf (the likelihood is unbounded). The figures at the fixed sigma above stay finite.',
        }
      : {
          id: 'sigma-mle',
          title: 'The MLE of sigma',
          latex: `\\hat\\sigma^2 = \\frac{1}{n k}\\sum_{i=1}^{n}\\lVert y_i-\\hat y_i\\rVert^2 = \\mathrm{MSE} \\;\\Rightarrow\\; \\hat\\sigma = ${latexNumber(sigmaHat, 10)},\\quad \\log L(\\hat\\sigma) = -\\frac{n k}{2}\\big(\\log(2\\pi\\hat\\sigma^2) + 1\\big) = ${latexNumber(state.logLikelihoodAtSigmaMle, 10)}`,
          note: 'Setting the derivative in sigma to 0 gives the mean of all n k squared residuals (divisor n k, not n k - 1).',
          check: checkIdentity('log L at sigma hat, closed form = from the NLL', state.logLikelihoodAtSigmaMle, -state.gaussianNll(sigmaHat)),
        },
  ];
  return { id: 'regression-fixed-sigma', title: 'Mean squared error as a Gaussian likelihood', steps };
}

/** Regression with a predicted variance per output, as `F.gaussian_nll_loss`. */
export function predictedVarianceDerivation(state: PredictedVarianceState): Derivation {
  const full = state.options.full ?? false;
  const eps = state.options.eps ?? 1e-6;
  const steps: DerivationStep[] = [
    {
      id: 'heteroscedastic',
      title: 'Predicting the variance too',
      latex: `-\\log q(y\\mid x) = \\tfrac12\\Big(\\log\\sigma^2(x) + \\frac{(y-\\mu(x))^2}{\\sigma^2(x)}\\Big)${full ? ' + \\tfrac12\\log 2\\pi' : ''}`,
      note: full
        ? 'Each value has its own predicted variance; with full=True the constant makes this the exact Gaussian NLL.'
        : 'Each value has its own predicted variance. The constant 0.5 log(2 pi) is left out, as PyTorch does unless full=True; it does not move the minimum.',
    },
    {
      id: 'clamp',
      title: 'Variance floor',
      latex: `\\sigma^2 \\leftarrow \\max(\\sigma^2, ${latexNumber(eps)})\\qquad (${state.clamped}\\text{ of }${state.values}\\text{ values raised})`,
      note: 'A variance near 0 would make the loss unbounded below; PyTorch raises it to eps first.',
    },
    {
      id: 'mean',
      title: 'The loss',
      latex: `\\frac{1}{${state.values}}\\sum (\\ldots) = ${latexNumber(state.mean, 10)},\\qquad \\sum(\\ldots) = ${latexNumber(state.sum, 10)}`,
      note: 'Averaged over every output value of every row, as reduction="mean".',
      restatement: 'the sum, divided by the number of values',
    },
  ];
  return { id: 'regression-predicted-variance', title: 'Gaussian NLL with a predicted variance', steps };
}
