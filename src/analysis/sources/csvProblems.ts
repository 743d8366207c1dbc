import { detectPredictionKind, ROW_SUM_TOLERANCE } from '../../engine/categorical';
import { logSumExp } from '../../engine/logSpace';
import { parseCsv, type CsvTable } from '../../readers/csv';
import { DataFileError } from '../../readers/errors';
import { columnByName, type NumericColumn } from '../../readers/table';
import { scoresFromColumns } from './table';
import { chooseRoles } from '../../roles/chooseRoles';
import { isClassifierRoles } from '../../roles/chosenRoles';
import type { AnalysisOptions } from '../results';

/** A problem at a place in a CSV/TSV text, for the editor's Problems list. Lines and columns are 0-based here, as editors count. */
export interface TextProblem {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** Maps text offsets to 0-based (line, column). */
class LineIndex {
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, column: offset - this.starts[lo]! };
  }

  lineEnd(line: number): number {
    const next = this.starts[line + 1];
    const end = next === undefined ? this.text.length : next - 1;
    return end > 0 && this.text.charCodeAt(end - 1) === 0x0d ? end - 1 : end;
  }

  lineLength(line: number): number {
    return this.lineEnd(line) - this.starts[line]!;
  }
}

/**
 * Every problem the loss engine would stop at or warn about, each at its cell: ragged rows,
 * cells that are not numbers, labels that are not class indices, probabilities outside
 * [0, 1], rows that do not sum to 1, missing values. Stops after `limit` problems.
 */
export function findCsvProblems(text: string, fileName: string, options: AnalysisOptions = {}, limit = 500): TextProblem[] {
  const index = new LineIndex(text);
  const problems: TextProblem[] = [];
  const wholeLine = (line: number, severity: TextProblem['severity'], message: string): TextProblem => ({
    line,
    column: 0,
    endLine: line,
    endColumn: index.lineLength(line),
    severity,
    message,
  });

  let table: CsvTable;
  try {
    table = parseCsv(text, fileName, { lenient: true });
  } catch (error) {
    if (!(error instanceof DataFileError)) throw error;
    const line = Math.max(0, (Number(/line (\d+)/.exec(error.place)?.[1]) || 1) - 1);
    return [wholeLine(line, 'error', error.reason)];
  }
  for (const ragged of table.raggedRows) {
    if (problems.length >= limit) return problems;
    problems.push(wholeLine(ragged.line - 1, 'error', `expected ${table.width} fields, found ${ragged.found}`));
  }

  let roles;
  try {
    roles = chooseRoles({ kind: 'table', table }, fileName, options);
  } catch {
    return problems;
  }
  const offsets = table.cellOffsets!;
  const cellRange = (row: number, column: NumericColumn, lastColumn: NumericColumn = column) => {
    const start = index.position(offsets[row * table.width + column.field!]!);
    const nextField = lastColumn.field! + 1;
    const endOffset =
      nextField < table.width
        ? offsets[row * table.width + nextField]! - 1
        : index.lineEnd(index.position(offsets[row * table.width + lastColumn.field!]!).line);
    const end = index.position(endOffset);
    return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  };
  const add = (row: number, column: NumericColumn, severity: TextProblem['severity'], message: string, lastColumn?: NumericColumn) => {
    if (problems.length < limit) problems.push({ ...cellRange(row, column, lastColumn), severity, message });
  };

  const notANumber = (column: NumericColumn) => {
    for (const bad of column.invalid ?? []) add(bad.row, column, 'error', `'${bad.text}' is not a number (column ${column.name})`);
  };
  // Only a classifier's file has labels and class scores to check; other tasks' cells must be numbers.
  if (!isClassifierRoles(roles)) {
    for (const name of [...roles.targets, ...roles.predictions, ...roles.variance]) {
      const column = columnByName(table, name);
      if (column) notANumber(column);
    }
    return problems;
  }
  const target = columnByName(table, roles.target)!;
  const predictions = roles.predictions.map((name) => columnByName(table, name)!);
  for (const column of [target, ...predictions]) notANumber(column);

  const k = predictions.length;
  const kind = options.kind ?? detectPredictionKind(scoresFromColumns(table, roles.predictions)).kind;
  // A missing value fails the analysis only when strict; otherwise its row is left out and counted.
  const missing = options.strictMissing ? 'error' : 'warning';
  const leftOut = options.strictMissing ? '' : ': the row is left out';
  const invalidRows = (column: NumericColumn) => new Set((column.invalid ?? []).map((cell) => cell.row));
  const skipTarget = invalidRows(target);
  const skipPrediction = predictions.map(invalidRows);
  for (let row = 0; row < table.rowCount && problems.length < limit; row++) {
    const label = target.values[row]!;
    if (!skipTarget.has(row)) {
      if (Number.isNaN(label)) add(row, target, missing, `the label is missing${leftOut}`);
      else if (k === 1 && label !== 0 && label !== 1) add(row, target, 'error', `label ${label} is not 0 or 1`);
      else if (k > 1 && (!Number.isInteger(label) || label < 0 || label >= k)) add(row, target, 'error', `label ${label} is not a class index in 0..${k - 1}`);
    }
    let rowOk = true;
    predictions.forEach((column, j) => {
      if (skipPrediction[j]!.has(row)) return (rowOk = false);
      const value = column.values[row]!;
      if (Number.isNaN(value)) {
        add(row, column, missing, `the prediction is missing (column ${column.name})${leftOut}`);
        rowOk = false;
      } else if (kind === 'probs' && (value < 0 || value > 1)) {
        add(row, column, 'error', `probability ${value} is outside [0, 1]`);
        rowOk = false;
      } else if (kind === 'logprobs' && value > 0) {
        add(row, column, 'error', `log-probability ${value} is above 0`);
        rowOk = false;
      }
    });
    if (rowOk && k > 1 && kind !== 'logits') {
      const values = predictions.map((column) => column.values[row]!);
      const total = kind === 'probs' ? values.reduce((a, b) => a + b, 0) : Math.exp(logSumExp(values));
      if (!(Math.abs(total - 1) <= ROW_SUM_TOLERANCE))
        add(row, predictions[0]!, 'warning', `the row's probabilities sum to ${Number(total.toPrecision(6))}, not 1`, predictions[k - 1]);
    }
  }
  return problems;
}
