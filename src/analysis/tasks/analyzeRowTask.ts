import { MissingRows } from '../../engine/missingValues';
import { DataFileError } from '../../readers/errors';
import { analyzeEntropy } from './entropy/analyze';
import { analyzeFit } from './fit/analyze';
import { analyzeRegression } from './regression/analyze';
import { analyzeSoft } from './soft/analyze';
import { missingRowsWarning, withoutMissingRows } from '../rows/missingRows';
import type { TaskInput } from '../rows/taskInput';
import type { Analysis, AnalysisOptions } from '../results';

function analyzeTask(input: TaskInput, options: AnalysisOptions): Promise<Analysis> {
  switch (input.roles.task) {
    case 'soft':
      return analyzeSoft(input, options);
    case 'regression':
      return analyzeRegression(input, options);
    case 'fit':
      return analyzeFit(input, options);
    case 'entropy':
      return analyzeEntropy(input, options);
  }
}

/**
 * The soft, regression, fit or entropy analysis the roles name. A row with a missing value
 * (NaN) in a column the task reads is left out, as pandas' dropna and nan-aware SciPy fits do,
 * and counted in a warning; with `strictMissing` it fails the analysis where it is met.
 */
export async function analyzeRowTask(input: TaskInput, options: AnalysisOptions): Promise<Analysis> {
  if (options.strictMissing) return analyzeTask(input, options);
  const missing = new MissingRows();
  const lines = new Map<number, number>();
  const analysis = await analyzeTask({ ...input, batches: withoutMissingRows(input.batches, missing, lines) }, options).catch((error: unknown) => {
    throw missing.count > 0 && isNoRows(error) ? allMissingError(error, missing.count) : error;
  });
  if (missing.count === 0) return analysis;
  const describe = (row: number) => {
    const line = lines.get(row);
    return line !== undefined ? `line ${line}` : input.rowName(row);
  };
  return {
    ...analysis,
    file: { ...analysis.file, rows: analysis.file.rows + missing.count },
    warnings: [...analysis.warnings, missingRowsWarning(missing, describe)],
  } as Analysis;
}

function isNoRows(error: unknown): error is DataFileError {
  return error instanceof DataFileError && error.reason === 'there are no rows to analyse';
}

function allMissingError(error: DataFileError, count: number): DataFileError {
  return new DataFileError(error.file, error.place, `every row has a missing value (${count} left out)`);
}
