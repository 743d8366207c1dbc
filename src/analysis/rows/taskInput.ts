import type { RowBatch } from './rowBatch';
import type { RowTaskRoles } from '../../roles/chosenRoles';

/** The rows of a soft, regression or fit analysis from a file, whatever its format, in file order. */
export interface TaskInput {
  readonly fileName: string;
  readonly format: string;
  readonly roles: RowTaskRoles;
  /** Laid out as the roles list the columns: targets, then predictions, then variances. */
  readonly batches: Iterable<RowBatch> | AsyncIterable<RowBatch>;
  /** What the user can pick from (column or tensor names). */
  readonly choices: readonly string[];
  /** How rows are named when there is no line: "row 12", "tensor 'y' row 12". */
  readonly rowName: (row: number) => string;
  readonly readerWarnings?: readonly string[];
}
