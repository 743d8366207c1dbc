import { PairedComparisonState, type PairedComparisonOptions } from '../engine/comparison/pairedComparison';
import { DataFileError } from '../readers/errors';
import { differenceHistogram, differenceRunningMean, scatterSample } from '../engine/comparison/comparisonPlots';
import { comparisonDerivation } from '../engine/derivations/comparison';
import type { Analysis, Comparison, ComparisonDetail } from './results';

/** The per-row loss each task keeps (keepRowLosses) that a comparison reads, by its name in the report. */
function comparedLoss(analysis: Analysis, name: string): { readonly name: string; readonly values: readonly number[] | undefined } {
  const rows = analysis.rowLosses ?? {};
  switch (analysis.task) {
    case 'categorical':
    case 'binary':
    case 'soft':
    case 'lm':
      return { name: 'crossEntropy', values: rows.crossEntropy };
    case 'regression':
      return { name: 'gaussianNll', values: rows.gaussianNll };
    case 'fit':
    case 'entropy':
    case 'eval':
      throw new DataFileError(
        name,
        '',
        `a ${analysis.task === 'fit' ? "fit's" : `'${analysis.task}' task's`} report has no per-row loss of a model's predictions to compare (comparing needs categorical, binary, soft, regression or lm)`,
      );
  }
}

/** The rows two analyses share, checked and paired, in the state that reduces them. */
interface PairedAnalyses {
  readonly state: PairedComparisonState;
  readonly loss: string;
  readonly ignored: number;
  readonly warnings: string[];
  /** The compared rows in file order: their indices, and each model's loss. */
  readonly paired: { readonly rows: number[]; readonly lossA: number[]; readonly lossB: number[] };
}

function pairAnalyses(a: Analysis, b: Analysis, options: PairedComparisonOptions, nameA: string, nameB: string, keepRows: boolean): PairedAnalyses {
  if (a.task !== b.task) throw new DataFileError(nameB, '', `read as a '${b.task}' task, ${nameA} as '${a.task}': a comparison needs the same task`);
  const lossA = comparedLoss(a, nameA);
  const lossB = comparedLoss(b, nameB);
  if (!lossA.values || !lossB.values) throw new DataFileError(lossA.values ? nameB : nameA, '', 'no per-row losses were kept (keepRowLosses)');
  const rowsA = lossA.values;
  const rowsB = lossB.values;
  if (rowsA.length !== rowsB.length)
    throw new DataFileError(nameB, '', `${rowsB.length} rows, ${nameA} has ${rowsA.length}: a comparison needs the same rows in both files`);
  const warnings: string[] = [];
  const targetsA = a.rowTargets;
  const targetsB = b.rowTargets;
  if (targetsA && targetsB) {
    const width = targetsA.width ?? 1;
    const first = firstDifference(targetsA.labels, targetsB.labels);
    if (first !== undefined) {
      const row = Math.floor(first / width);
      const [what, same] = width === 1 ? ['label', 'labels'] : [`target ${first - row * width}`, 'targets'];
      throw new DataFileError(
        nameB,
        `row ${row}`,
        `${what} ${targetsB.labels[first]} differs from ${nameA}'s ${targetsA.labels[first]}: a comparison needs the same ${same}`,
      );
    }
  } else warnings.push(`the targets of ${nameA} and ${nameB} were not compared: make sure both files hold the same rows in the same order`);
  const ignoreIndex = a.task === 'categorical' || a.task === 'binary' ? a.torchOptions.ignoreIndex : targetsA?.unscored;
  const predictedA = targetsA?.predicted;
  const predictedB = targetsB?.predicted;
  const state = new PairedComparisonState(options);
  const paired = { rows: [] as number[], lossA: [] as number[], lossB: [] as number[] };
  let ignored = 0;
  for (let row = 0; row < rowsA.length; row++) {
    const label = targetsA?.labels[row];
    // A row either file left out (the ignore index, or a missing label or score: top class -1) is compared in neither.
    if ((label !== undefined && label === ignoreIndex) || predictedA?.[row] === -1 || predictedB?.[row] === -1) {
      ignored++;
      continue;
    }
    if (predictedA && predictedB && label !== undefined) state.add(row, rowsA[row]!, rowsB[row]!, predictedA[row] === label, predictedB[row] === label);
    else state.add(row, rowsA[row]!, rowsB[row]!);
    if (keepRows) {
      paired.rows.push(row);
      paired.lossA.push(rowsA[row]!);
      paired.lossB.push(rowsB[row]!);
    }
  }
  const nonFinite = firstNonFinite(rowsA, rowsB);
  if (nonFinite !== undefined)
    warnings.push(
      `row ${nonFinite} has an infinite or undefined loss in ${Number.isFinite(rowsA[nonFinite]!) ? nameB : nameA}: the differences and their intervals are not finite`,
    );
  return { state, loss: lossA.name, ignored, warnings, paired };
}

/**
 * Compares two analyses of the same rows, A against B, each made with keepRowLosses: their
 * tasks, row counts and targets must agree. Every difference is A minus B.
 */
export function compareAnalyses(a: Analysis, b: Analysis, options: PairedComparisonOptions = {}, names = { a: a.file.name, b: b.file.name }): Comparison {
  const pairedAnalyses = pairAnalyses(a, b, options, names.a, names.b, false);
  return comparisonOf(a, pairedAnalyses, names.a, names.b);
}

/**
 * The comparison as a panel shows it: the figures, the derivation of the log likelihood ratio
 * from the cross-entropies, and the plots of the per-row losses and their differences.
 */
export function compareInDetail(a: Analysis, b: Analysis, options: PairedComparisonOptions = {}, names = { a: a.file.name, b: b.file.name }): ComparisonDetail {
  const pairedAnalyses = pairAnalyses(a, b, options, names.a, names.b, true);
  const comparison = comparisonOf(a, pairedAnalyses, names.a, names.b);
  const { state, paired } = pairedAnalyses;
  const differences = paired.lossA.map((lossA, i) => lossA - paired.lossB[i]!);
  // A file's own log-likelihood is an independent route only when its pass summed exactly the compared rows.
  const passLogLikelihood = (analysis: Analysis) =>
    'logLikelihood' in analysis.summary && analysis.summary.n === comparison.n && pairedAnalyses.ignored === 0 ? analysis.summary.logLikelihood : undefined;
  const passA = passLogLikelihood(a);
  const passB = passLogLikelihood(b);
  const derivation = comparisonDerivation({
    n: comparison.n,
    fileA: names.a,
    fileB: names.b,
    lossSumA: state.a.sum.value,
    lossSumB: state.b.sum.value,
    differenceSum: state.difference.sum.value,
    differenceStdError: comparison.differenceStdError,
    normalInterval95: comparison.normalInterval95,
    bootstrapInterval95: comparison.bootstrapInterval95,
    ...(passA !== undefined ? { passLogLikelihoodA: passA } : {}),
    ...(passB !== undefined ? { passLogLikelihoodB: passB } : {}),
  });
  return {
    comparison,
    derivation,
    plots: { scatter: scatterSample(paired), histogram: differenceHistogram(differences), runningMean: differenceRunningMean(differences) },
  };
}

function comparisonOf(a: Analysis, { state, loss, ignored, warnings }: PairedAnalyses, nameA: string, nameB: string): Comparison {
  const result = state.result();
  const { correctness } = result;
  return {
    fileA: nameA,
    fileB: nameB,
    task: a.task,
    loss,
    n: result.n,
    ignored,
    crossEntropyA: result.crossEntropyA,
    crossEntropyB: result.crossEntropyB,
    crossEntropyStdErrorA: result.crossEntropyStdErrorA,
    crossEntropyStdErrorB: result.crossEntropyStdErrorB,
    crossEntropyDifference: result.crossEntropyDifference,
    logLikelihoodRatio: result.logLikelihoodRatio,
    differenceStdError: result.differenceStdError,
    normalInterval95: result.normalInterval95,
    bootstrapInterval95: result.bootstrapInterval95,
    winsA: result.winsA,
    winsB: result.winsB,
    ties: result.ties,
    ...(correctness
      ? {
          accuracyA: correctness.accuracyA,
          accuracyB: correctness.accuracyB,
          bothRight: correctness.bothRight,
          bothWrong: correctness.bothWrong,
          flippedRightToWrong: correctness.mcnemar.aRightBWrong,
          flippedWrongToRight: correctness.mcnemar.aWrongBRight,
          flippedRightToWrongRows: correctness.aRightBWrongRows,
          flippedWrongToRightRows: correctness.aWrongBRightRows,
          mcnemarPValue: correctness.mcnemar.pValue,
          mcnemarLog10PValue: correctness.mcnemar.log10PValue,
        }
      : {}),
    largestDifferences: result.largestDifferences,
    warnings,
  };
}

function firstDifference(a: readonly number[], b: readonly number[]): number | undefined {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) return i;
  return a.length === b.length ? undefined : n;
}

function firstNonFinite(a: readonly number[], b: readonly number[]): number | undefined {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!) || !Number.isFinite(b[i]!)) return i;
  return undefined;
}
