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

/**
 * A language model's tensors: logits [B, T, V] (or per-token log-probabilities [B, T]) against
 * token ids [B, T], with an optional attention mask, and which target each position scores.
 */
export interface LanguageModelRoles {
  readonly task: 'lm';
  readonly predictions: string;
  readonly predictionKind: 'logits' | 'token-logprobs';
  /** The token ids; absent for log-probabilities given with a mask only. */
  readonly target?: string;
  readonly mask?: string;
  readonly shape: { readonly batch: number; readonly length: number; readonly vocabulary?: number };
  /** Position t scores target t + 1 when true, target t when false. */
  readonly shift: boolean;
  readonly shiftReason: string;
  readonly reason: string;
}

/** What `chooseRoles` decides: the task, which column or tensor plays which part, and why. */
export type ChosenRoles = ClassifierRoles | RowTaskRoles | LanguageModelRoles;

/** A table's roles: a language model's token grid needs a tensor file. */
export type TableRoles = ClassifierRoles | RowTaskRoles;

/** Narrows chosen roles (or roles with more attached, such as a tensor file's) to a classifier's. */
export function isClassifierRoles<R extends ChosenRoles>(roles: R): roles is Extract<R, ClassifierRoles> {
  return roles.task === 'categorical' || roles.task === 'binary';
}

export function isLanguageModelRoles<R extends ChosenRoles>(roles: R): roles is Extract<R, LanguageModelRoles> {
  return roles.task === 'lm';
}
