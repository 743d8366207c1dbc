import { categoricalCrossEntropy, detectPredictionKind, rowsNotNormalised, type ClassScores } from '../engine/categorical';
import { sumOf } from '../engine/compensatedSum';
import { classificationDerivation } from '../engine/derivations/classification';
import { LN10, float64ProductFromLogs, scientificFromLog } from '../engine/logSpace';
import { RowError } from '../engine/rowError';
import { downsampleExtremes, histogram, runningMean, worstRows } from '../engine/series';
import { DataFileError } from '../readers/errors';
import { columnByName, describeRow, type Table } from '../readers/table';
import { chooseRoles } from './roles';
import type { Analysis, AnalysisOptions } from './types';

/** Row-major [n, K] scores from K columns. */
export function scoresFromColumns(table: Table, names: readonly string[]): ClassScores {
  const n = table.rowCount;
  const k = names.length;
  const values = new Float64Array(n * k);
  names.forEach((name, j) => {
    const column = columnByName(table, name)!.values;
    for (let i = 0; i < n; i++) values[i * k + j] = column[i]!;
  });
  return { n, k, values };
}

function listRows(table: Table, rows: readonly number[], count: number): string {
  const shown = rows.map((row) => describeRow(table, row)).join(', ');
  return count > rows.length ? `${shown} and ${count - rows.length} more` : shown;
}

/** Runs the categorical cross-entropy analysis of a table: reader output in, plain data out. */
export function analyzeTable(table: Table, fileName: string, options: AnalysisOptions = {}): Analysis {
  let roles;
  try {
    roles = chooseRoles(table, options);
  } catch (error) {
    throw new DataFileError(fileName, '', (error as Error).message);
  }
  if (table.rowCount === 0) throw new DataFileError(fileName, '', 'the file has a header but no data rows');
  for (const name of [roles.target, ...roles.predictions]) {
    const column = columnByName(table, name)!;
    const bad = column.invalid?.[0];
    if (bad) {
      const where = column.field === undefined ? `column '${name}'` : `column ${column.field + 1} (${name})`;
      throw new DataFileError(fileName, `${describeRow(table, bad.row)}, ${where}`, `'${bad.text}' is not a number`);
    }
  }
  const labels = columnByName(table, roles.target)!.values;
  const scores = scoresFromColumns(table, roles.predictions);
  const detected = detectPredictionKind(scores);
  const kind = options.kind ?? detected.kind;
  const kindReason = options.kind ? `read as ${options.kind} as asked (the values look like ${detected.kind}: ${detected.reason})` : detected.reason;
  const warnings: string[] = [];

  if (options.kind === 'logits' && detected.kind === 'probs') {
    warnings.push('The predictions look like probabilities but are read as logits: softmax is applied to probabilities, which understates confidence (a common bug, pytorch#55902).');
  }
  if (kind !== 'logits') {
    const off = rowsNotNormalised(scores, kind);
    if (off.count > 0) warnings.push(`${off.count} row(s) do not sum to 1 (${listRows(table, off.rows, off.count)}); losses use the values as they are, without renormalising.`);
  }

  let result;
  try {
    result = categoricalCrossEntropy(labels, scores, kind);
  } catch (error) {
    if (error instanceof RowError) throw new DataFileError(fileName, describeRow(table, error.row), error.reason);
    throw error;
  }
  const { losses, accumulator } = result;
  if (accumulator.infiniteCount > 0) {
    warnings.push(`${accumulator.infiniteCount} row(s) give the true class probability 0, so the loss is infinite (${listRows(table, accumulator.infiniteRows, accumulator.infiniteCount)}).`);
  }

  const n = accumulator.count;
  const logProbabilities = losses.map((loss) => -loss);
  const logLikelihood = sumOf(logProbabilities);
  const crossEntropy = accumulator.mean;
  const likelihood = scientificFromLog(logLikelihood);
  const product = float64ProductFromLogs(logProbabilities);
  const exampleRow = worstRows(losses.map((loss) => -Math.abs(loss - crossEntropy)), 1)[0] ?? 0;
  const exampleLabel = labels[exampleRow]!;

  return {
    file: { name: fileName, format: table.format, rows: table.rowCount },
    task: 'categorical',
    roles: {
      target: roles.target,
      predictions: roles.predictions,
      kind,
      kindReason,
      reason: roles.reason,
      columns: table.columns.map((column) => column.name),
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
          label: exampleLabel,
          probability: Math.exp(-losses[exampleRow]!),
          loss: losses[exampleRow]!,
          where: describeRow(table, exampleRow),
        },
        targetName: roles.target,
        predictionNames: roles.predictions,
      }),
    ],
    plots: {
      perSampleLoss: downsampleExtremes(losses),
      runningMean: runningMean(losses),
      histogram: histogram(losses),
      worstRows: worstRows(losses, 10).map((row) => ({
        row,
        ...(table.rowLines ? { line: table.rowLines[row]! } : {}),
        loss: losses[row]!,
        label: labels[row]!,
      })),
    },
    warnings,
  };
}
