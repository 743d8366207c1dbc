import { categoricalCrossEntropy, detectPredictionKind, rowsNotNormalised, type ClassScores } from '../engine/categorical';
import { sumOf } from '../engine/compensatedSum';
import { classificationDerivation } from '../engine/derivations/classification';
import { LN10, float64ProductFromLogs, scientificFromLog } from '../engine/logSpace';
import { RowError } from '../engine/rowError';
import { downsampleExtremes, histogram, runningMean, worstRows } from '../engine/series';
import { DataFileError } from '../readers/errors';
import type { Analysis, AnalysisOptions } from './types';

/** Labels and class scores taken from a file, whatever its format, with how to name its rows. */
export interface CategoricalInput {
  readonly fileName: string;
  readonly format: string;
  readonly labels: ArrayLike<number>;
  readonly scores: ClassScores;
  readonly targetName: string;
  readonly predictionNames: readonly string[];
  /** What the user can pick from for the roles (column or tensor names). */
  readonly choices: readonly string[];
  readonly rolesReason: string;
  /** "line 12" in a text file, "row 12" in a tensor. */
  describeRow(row: number): string;
  /** The 1-based line a row is on, for text files. */
  lineOf?(row: number): number;
}

function listRows(input: CategoricalInput, rows: readonly number[], count: number): string {
  const shown = rows.map((row) => input.describeRow(row)).join(', ');
  return count > rows.length ? `${shown} and ${count - rows.length} more` : shown;
}

/** The row whose loss is nearest the mean: a typical row to show the one-hot step with. */
function typicalRow(losses: Float64Array, mean: number): number {
  let best = 0;
  for (let i = 1; i < losses.length; i++) if (Math.abs(losses[i]! - mean) < Math.abs(losses[best]! - mean)) best = i;
  return best;
}

/** The categorical cross-entropy analysis: labels and scores in, plain data for the panel and CLI out. */
export function analyzeCategorical(input: CategoricalInput, options: AnalysisOptions = {}): Analysis {
  const { scores, labels, fileName } = input;
  if (scores.n === 0) throw new DataFileError(fileName, '', 'there are no rows to analyse');
  const detected = detectPredictionKind(scores);
  const kind = options.kind ?? detected.kind;
  const kindReason = options.kind ? `read as ${options.kind} as asked (the values look like ${detected.kind}: ${detected.reason})` : detected.reason;
  const warnings: string[] = [];

  if (options.kind === 'logits' && detected.kind === 'probs' && scores.k > 1) {
    warnings.push('The predictions look like probabilities but are read as logits: softmax is applied to probabilities, which understates confidence (a common bug, pytorch#55902).');
  }
  if (kind !== 'logits' && scores.k > 1) {
    const off = rowsNotNormalised(scores, kind);
    if (off.count > 0) warnings.push(`${off.count} row(s) do not sum to 1 (${listRows(input, off.rows, off.count)}); losses use the values as they are, without renormalising.`);
  }

  let result;
  try {
    result = categoricalCrossEntropy(labels, scores, kind);
  } catch (error) {
    if (error instanceof RowError) throw new DataFileError(fileName, input.describeRow(error.row), error.reason);
    throw error;
  }
  const { losses, accumulator } = result;
  if (accumulator.infiniteCount > 0) {
    warnings.push(`${accumulator.infiniteCount} row(s) give the true class probability 0, so the loss is infinite (${listRows(input, accumulator.infiniteRows, accumulator.infiniteCount)}).`);
  }

  const n = accumulator.count;
  const logProbabilities = losses.map((loss) => -loss);
  const logLikelihood = sumOf(logProbabilities);
  const crossEntropy = accumulator.mean;
  const likelihood = scientificFromLog(logLikelihood);
  const product = float64ProductFromLogs(logProbabilities);
  const exampleRow = typicalRow(losses, crossEntropy);

  return {
    file: { name: fileName, format: input.format, rows: n },
    task: 'categorical',
    roles: {
      target: input.targetName,
      predictions: input.predictionNames,
      kind,
      kindReason,
      reason: input.rolesReason,
      columns: input.choices,
    },
    summary: {
      n,
      classes: scores.k,
      crossEntropy,
      logLikelihood,
      log10Likelihood: logLikelihood / LN10,
      likelihoodMantissa: likelihood.mantissa,
      likelihoodExponent: likelihood.exponent,
      perplexity: Math.exp(crossEntropy),
      accuracy: accumulator.correct / n,
      lossStandardDeviation: accumulator.standardDeviation,
    },
    derivations: [
      classificationDerivation({
        n,
        k: scores.k,
        logLikelihood,
        crossEntropy,
        likelihood,
        underflowRow: product.underflowRow,
        example: {
          row: exampleRow,
          label: labels[exampleRow]!,
          probability: Math.exp(-losses[exampleRow]!),
          loss: losses[exampleRow]!,
          where: input.describeRow(exampleRow),
        },
        targetName: input.targetName,
        predictionNames: input.predictionNames,
      }),
    ],
    plots: {
      perSampleLoss: downsampleExtremes(losses),
      runningMean: runningMean(losses),
      histogram: histogram(losses),
      worstRows: worstRows(losses, 10).map((row) => {
        const line = input.lineOf?.(row);
        return { row, ...(line !== undefined ? { line } : {}), loss: losses[row]!, label: labels[row]! };
      }),
    },
    warnings,
  };
}
