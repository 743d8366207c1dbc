import type { ClassifierTask, RowTask } from './vocabulary';

/** A classifier's roles: one label column (or [n] tensor) and K class-score columns (or one [n, K] tensor). */
export interface ClassifierRoles {
  readonly task: ClassifierTask;
  readonly target: string;
  readonly predictions: readonly string[];
  readonly reason: string;
}

/** The columns of a soft, regression, fit or entropy analysis, in the order its pass reads them. */
export interface RowTaskRoles {
  readonly task: RowTask;
  readonly targets: readonly string[];
  readonly predictions: readonly string[];
  readonly variance: readonly string[];
  readonly reason: string;
}

/** What `chooseRoles` decides: the task, which column or tensor plays which part, and why. */
export type ChosenRoles = ClassifierRoles | RowTaskRoles;

/** Narrows chosen roles (or roles with more attached, such as a tensor file's) to a classifier's. */
export function isClassifierRoles<R extends ChosenRoles>(roles: R): roles is Extract<R, ClassifierRoles> {
  return roles.task === 'categorical' || roles.task === 'binary';
}
