import type { ClassScores } from '../../engine/categorical';
import { DataFileError, quoteName } from '../../readers/errors';
import { columnByName, describeRow, type Table } from '../../readers/table';
import { analyzeCategorical, inMemoryBatches } from '../tasks/categorical/analyze';
import { chooseRoles } from '../../roles/chooseRoles';
import { isClassifierRoles, type ClassifierRoles } from '../../roles/chosenRoles';
import { analyzeRowTask } from '../tasks/analyzeRowTask';
import { rowBatches } from '../rows/rowBatch';
import type { Analysis, AnalysisOptions, ClassificationAnalysis } from '../results';

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

/** Stops at the first cell of the columns that is not a number, naming its line and column. */
function checkCells(table: Table, fileName: string, names: readonly string[]): void {
  if (table.rowCount === 0) throw new DataFileError(fileName, '', 'the file has a header but no data rows');
  for (const name of names) {
    const column = columnByName(table, name)!;
    const bad = column.invalid?.[0];
    if (bad) {
      const where = column.field === undefined ? `column ${quoteName(name)}` : `column ${column.field + 1} (${name})`;
      throw new DataFileError(fileName, `${describeRow(table, bad.row)}, ${where}`, `'${bad.text}' is not a number`);
    }
  }
}

/** Any task's analysis of a table: the task asked for or detected from its columns. */
export async function analyzeTable(table: Table, fileName: string, options: AnalysisOptions = {}): Promise<Analysis> {
  const roles = chooseRoles({ kind: 'table', table }, fileName, options);
  if (isClassifierRoles(roles)) return analyzeClassifierTable(table, fileName, roles, options);
  const names = [...roles.targets, ...roles.predictions, ...roles.variance];
  checkCells(table, fileName, names);
  return analyzeRowTask(
    {
      fileName,
      format: table.format,
      roles,
      batches: rowBatches(
        names.map((name) => ({ n: table.rowCount, k: 1, values: columnByName(table, name)!.values })),
        table.rowLines,
      ),
      choices: table.columns.map((column) => column.name),
      rowName: (row) => describeRow(table, row),
      ...(table.warnings ? { readerWarnings: table.warnings } : {}),
    },
    options,
  );
}

/** Runs the categorical (or binary) cross-entropy analysis of a table (CSV, TSV, Parquet) whose roles were chosen. */
async function analyzeClassifierTable(table: Table, fileName: string, roles: ClassifierRoles, options: AnalysisOptions): Promise<ClassificationAnalysis> {
  checkCells(table, fileName, [roles.target, ...roles.predictions]);
  const labels = columnByName(table, roles.target)!.values;
  const scores = scoresFromColumns(table, roles.predictions);
  return analyzeCategorical(
    {
      fileName,
      format: table.format,
      k: scores.k,
      batches: inMemoryBatches(labels, scores, table.rowLines),
      targetName: roles.target,
      predictionNames: roles.predictions,
      choices: table.columns.map((column) => column.name),
      rolesReason: roles.reason,
      rowName: (row) => describeRow(table, row),
      ...(table.warnings ? { readerWarnings: table.warnings } : {}),
    },
    options,
  );
}
