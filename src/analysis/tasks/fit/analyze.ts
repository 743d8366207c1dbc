import { unconditionalMleDerivation } from '../../../engine/derivations/unconditionalMle';
import { MAX_DISTINCT_VALUES, type EmpiricalDistributionState } from '../../../engine/fits/empiricalDistribution';
import type { FitResult } from '../../../engine/fits/likelihoodCurve';
import { DataFileError } from '../../../readers/errors';
import { summaryBase } from '../../rows/summaryBase';
import type { TaskInput } from '../../rows/taskInput';
import { detectFamily, FitPass, logDensity } from './pass';
import { consumeBatches } from '../../rows/rowBatch';
import type { AnalysisOptions, FitAnalysis, ParameterCurve } from '../../results';
import { CompensatedSum } from '../../../engine/compensatedSum';

const SUBSCRIPT_DIGITS = '\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089';

/**
 * A fit's parameter as the panel writes it: "pi_1" as "\u03c0\u2081". The plot's axis cannot render
 * LaTeX, so the title and the axis both take the Unicode symbol and name it the same way.
 */
export function parameterSymbol(parameter: string): string {
  const match = /^pi_(\d+)$/.exec(parameter);
  return match ? `\u03c0${[...match[1]!].map((digit) => SUBSCRIPT_DIGITS[Number(digit)]).join('')}` : parameter;
}

/** The curves of an unconditional fit as plots: log-likelihood and average NLL over each parameter. */
export function fitParameterCurves(fit: FitResult<unknown>, id: string, title: (parameter: string) => string, note: string): ParameterCurve[] {
  return fit.curves.map((curve) => ({
    id,
    title: title(parameterSymbol(curve.parameter)),
    parameter: parameterSymbol(curve.parameter),
    x: curve.x,
    logLikelihood: curve.logLikelihood,
    averageNll: curve.logLikelihood.map((value) => -value / fit.n),
    maxIndex: curve.maxIndex,
    note,
  }));
}

/** The unconditional maximum-likelihood fit of one column in a family asked for or detected from its first rows. */
export async function analyzeFit(input: TaskInput, options: AnalysisOptions = {}): Promise<FitAnalysis> {
  const { fileName, roles } = input;
  const column = roles.targets[0]!;
  let pass: FitPass | undefined;
  let distReason = '';
  await consumeBatches(fileName, input.rowName, input.batches, (batch) => {
    if (!pass) {
      const detected = detectFamily(batch.values);
      const dist = options.dist ?? detected.dist;
      distReason = options.dist ? `${dist} as asked (the values suggest ${detected.dist}: ${detected.reason})` : detected.reason;
      pass = new FitPass(dist, options.keepRowLosses === true);
    }
    pass.push(batch);
  });
  const done = pass as FitPass | undefined;
  if (!done || done.state.n === 0) throw new DataFileError(fileName, '', 'there are no rows to analyse');
  const fit = done.fit();
  const warnings = [...(input.readerWarnings ?? [])];
  if (!Number.isFinite(fit.logLikelihood))
    warnings.push('The fitted model gives some value probability 0 (or a density that degenerates), so the log-likelihood is not finite.');
  return {
    file: { name: fileName, format: input.format, rows: fit.n },
    task: 'fit',
    roles: { target: column, dist: done.dist, distReason, reason: roles.reason, columns: input.choices },
    summary: {
      ...summaryBase(fit.n, fit.logLikelihood, fitStandardError(done, fit)),
      crossEntropy: fit.averageNll,
      dist: done.dist,
      estimates: fit.estimates,
    },
    derivations: [
      unconditionalMleDerivation(
        fit,
        column,
        done.empirical.sum((x) => logDensity(fit, x)) ?? `the column has more than ${MAX_DISTINCT_VALUES} distinct values`,
      ),
    ],
    plots: {
      parameterCurves: fitParameterCurves(
        fit,
        'fit',
        (parameter) => `Log-likelihood of ${column} against ${parameter}`,
        `The ${done.dist} MLE: the maximum of the log-likelihood and the minimum of the average NLL fall on the same value.`,
      ),
    },
    warnings,
    ...(done.values ? { rowLosses: { nll: done.values.map((x) => -logDensity(fit, x)) } } : {}),
  };
}

/** The fitted NLL's standard error: from the distinct values while they are kept, else from the column's moments (Gaussian, exponential); NaN otherwise. */
function fitStandardError(pass: FitPass, fit: ReturnType<FitPass['fit']>): number {
  const exact = fittedNllStandardError(pass.empirical, (x) => -logDensity(fit, x));
  if (!Number.isNaN(exact) || pass.empirical.n < 2) return exact;
  if (pass.dist === 'gaussian') return pass.moments.gaussianNllStandardError();
  if (pass.dist === 'exponential') return pass.moments.exponentialNllStandardError((fit.estimates as { lambda: number }).lambda);
  return Number.NaN;
}

/**
 * std (ddof 1) / sqrt n of each row's NLL under the fitted model, from the column's distinct
 * values and counts: a row's loss needs the fit, known only after the pass, and the table holds
 * every value once. Two passes over the table (mean, then squared deviations) keep it exact;
 * NaN once the table was dropped (more than MAX_DISTINCT_VALUES distinct values).
 */
export function fittedNllStandardError(empirical: EmpiricalDistributionState, nll: (x: number) => number): number {
  const n = empirical.n;
  if (empirical.dropped || n < 2) return Number.NaN;
  const total = new CompensatedSum();
  for (const [value, count] of empirical.entries()) total.add(count * nll(value));
  const mean = total.value / n;
  const squares = new CompensatedSum();
  for (const [value, count] of empirical.entries()) {
    const d = nll(value) - mean;
    squares.add(count * d * d);
  }
  return Math.sqrt(squares.value / (n - 1) / n);
}
