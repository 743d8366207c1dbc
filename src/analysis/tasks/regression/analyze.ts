import { fixedSigmaRegressionDerivation, predictedVarianceDerivation } from '../../../engine/derivations/regression';
import { curveWithMaximum, logGrid } from '../../../engine/fits/likelihoodCurve';
import { gaussianNllFromSse, type SquaredErrorState } from '../../../engine/regression';
import { DataFileError } from '../../../readers/errors';
import { summaryBase } from '../../rows/summaryBase';
import type { TaskInput } from '../../rows/taskInput';
import { RegressionPass } from './pass';
import { consumeBatches } from '../../rows/rowBatch';
import type { AnalysisOptions, ParameterCurve, RegressionAnalysis } from '../../results';

const CURVE_POINTS = 200;

/** log L against sigma from the sum of squared errors, with the MLE and the fixed sigma both on the grid. */
function sigmaCurve(state: SquaredErrorState, sigma: number): ParameterCurve | undefined {
  const sigmaHat = state.sigmaMle;
  if (!(sigmaHat > 0 && Number.isFinite(sigmaHat))) return undefined;
  const logLikelihood = (s: number) => -gaussianNllFromSse(state.sse.value, state.n, state.k, s);
  const grid = [...logGrid(sigmaHat / 4, sigmaHat * 4, CURVE_POINTS), sigma].sort((a, b) => a - b);
  const curve = curveWithMaximum('sigma', grid, sigmaHat, logLikelihood);
  return {
    id: 'sigma',
    title: 'Log-likelihood of the Gaussian model against sigma',
    parameter: 'sigma',
    x: curve.x,
    logLikelihood: curve.logLikelihood,
    averageNll: curve.logLikelihood.map((value) => -value / state.n),
    maxIndex: curve.maxIndex,
    note: `The maximum is at sigma = sqrt(MSE) = ${sigmaHat.toPrecision(6)}; the fixed sigma ${sigma} is on the curve too.`,
  };
}

/** Regression targets against predictions: MSE, the Gaussian NLL at a fixed sigma and at its MLE, and F.gaussian_nll_loss with a variance column. */
export async function analyzeRegression(input: TaskInput, options: AnalysisOptions = {}): Promise<RegressionAnalysis> {
  const { fileName, roles } = input;
  const sigma = options.sigma ?? 1;
  if (!(sigma > 0 && Number.isFinite(sigma))) throw new DataFileError(fileName, '', `sigma ${sigma} must be a positive number`);
  const pass = new RegressionPass(roles.targets.length, roles.variance.length, sigma, options);
  await consumeBatches(fileName, input.rowName, input.batches, (batch) => pass.push(batch));
  const state = pass.squaredError;
  const n = state.n;
  if (n === 0) throw new DataFileError(fileName, '', 'there are no rows to analyse');
  const gaussianNll = state.gaussianNll(sigma);
  const variance = pass.predictedVariance;
  const warnings = [...(input.readerWarnings ?? [])];
  if (variance && variance.clamped > 0)
    warnings.push(`${variance.clamped} variance value(s) are below eps = ${variance.options.eps ?? 1e-6} and were raised to it, as PyTorch does.`);
  if (state.perfectFit)
    warnings.push(
      'Every prediction equals its target (all residuals are 0): the MLE of sigma is 0 and the Gaussian NLL at it is -inf (the likelihood is unbounded as sigma -> 0); the figures at the fixed sigma are finite.',
    );
  const curve = sigmaCurve(state, sigma);
  const rowLosses: Record<string, readonly number[]> = {};
  if (pass.losses.all) rowLosses.gaussianNll = pass.losses.all;
  if (pass.varianceLosses) rowLosses.gaussianNllLoss = pass.varianceLosses;
  return {
    file: { name: fileName, format: input.format, rows: n },
    task: 'regression',
    roles: { targets: roles.targets, predictions: roles.predictions, variance: roles.variance, reason: roles.reason, columns: input.choices },
    summary: {
      ...summaryBase(n, -gaussianNll, pass.losses.standardError),
      outputs: state.k,
      mse: state.mse,
      sumSquaredError: state.sse.value,
      sigma,
      gaussianNll,
      sigmaMle: state.sigmaMle,
      logLikelihoodAtSigmaMle: state.logLikelihoodAtSigmaMle,
      ...(variance
        ? {
            predictedVariance: {
              full: variance.options.full ?? false,
              eps: variance.options.eps ?? 1e-6,
              mean: variance.mean,
              sum: variance.sum,
              values: variance.values,
              clamped: variance.clamped,
            },
          }
        : {}),
    },
    derivations: [fixedSigmaRegressionDerivation(state, sigma, pass.logDensity.logLikelihood), ...(variance ? [predictedVarianceDerivation(variance)] : [])],
    plots: { parameterCurves: curve ? [curve] : [], ...pass.losses.plots() },
    warnings,
    ...(pass.losses.all ? { rowLosses } : {}),
    ...(pass.rowTargets ? { rowTargets: { labels: pass.rowTargets, width: pass.k } } : {}),
  };
}
