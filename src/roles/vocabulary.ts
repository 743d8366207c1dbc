/**
 * The roles vocabulary: the tasks, the fit families, and the names people give label and
 * prediction columns or tensors. Every chooser reads its names from here, so a table and a
 * tensor file with the same names get the same roles.
 */

export type Task = 'categorical' | 'binary' | 'soft' | 'regression' | 'fit' | 'entropy' | 'lm';
export const TASKS: readonly Task[] = ['categorical', 'binary', 'soft', 'regression', 'fit', 'entropy', 'lm'];

/** Tasks with a label per row and class scores: everything else has targets and predictions of the same width. */
export type ClassifierTask = Extract<Task, 'categorical' | 'binary'>;
export type RowTask = Exclude<Task, ClassifierTask | 'lm'>;
export const isClassifierTask = (task: Task): task is ClassifierTask => task === 'categorical' || task === 'binary';

export type FitFamily = 'bernoulli' | 'categorical' | 'gaussian' | 'poisson' | 'exponential';
export const FIT_FAMILIES: readonly FitFamily[] = ['bernoulli', 'categorical', 'gaussian', 'poisson', 'exponential'];

/** What the user may say about roles; anything left out is detected. */
export interface RoleOptions {
  /** A classifier's label column (or a fit's column). */
  readonly target?: string;
  readonly predictions?: readonly string[];
  readonly task?: Task;
  /** Soft and regression targets: one column per class or output dimension. */
  readonly targets?: readonly string[];
  /** Regression: predicted variances, one column per output or one shared by a row's outputs. */
  readonly variance?: readonly string[];
  readonly dist?: FitFamily;
}

/** Words that name labels or targets, alone or as the prefix of numbered columns. */
const TARGET_WORDS = 'labels?|targets?|soft_?targets?|y|gt|y_?true|true|class(?:es)?|truth|ground_?truth|p_?true';
/** Words that name predictions, alone or as the prefix of numbered columns. */
const PREDICTION_WORDS = 'p|probs?|proba|probabilit(?:y|ies)|logits?|log_?probs?|scores?|preds?|predictions?|outputs?|y_?pred|y_?hat|yhat|q|z|mu|mean';
/** Short prefixes that name targets only when numbered (t0, t1, ...): a lone column 't' is usually time. */
const NUMBERED_TARGET_ONLY = 't';

/** A column or tensor named like labels: `label`, `y_true`, `model.targets`. */
export const TARGET_NAME = new RegExp(`(^|[._/])(${TARGET_WORDS})$`, 'i');
/** A column or tensor named like predictions: `logits`, `outputs.probs`. */
export const PREDICTION_NAME = new RegExp(`(^|[._/])(${PREDICTION_WORDS})$`, 'i');
/** The prefix of numbered target columns: `t` of t0..t9, `target` of target_0.. */
export const TARGET_PREFIX = new RegExp(`^(${NUMBERED_TARGET_ONLY}|${TARGET_WORDS})$`, 'i');
/** The prefix of numbered prediction columns: `p` of p0..p9, `logit` of logit_0.. */
export const PREDICTION_PREFIX = new RegExp(`^(${PREDICTION_WORDS})$`, 'i');

/** Splits `p_3` into its prefix `p` and index 3; undefined for a name without a trailing number. */
export function numberedName(name: string): { readonly prefix: string; readonly index: number } | undefined {
  const match = /^(.*?)[_\s.-]?(\d+)$/.exec(name.trim());
  if (!match || match[1] === '') return undefined;
  return { prefix: match[1]!, index: Number(match[2]) };
}

/** Columns named prefix0, prefix1, ... (or prefix_0, ...) grouped by prefix, in file order. */
export function numberedGroups(names: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const name of names) {
    const numbered = numberedName(name);
    if (!numbered) continue;
    const group = groups.get(numbered.prefix) ?? [];
    group.push(name);
    groups.set(numbered.prefix, group);
  }
  return groups;
}

export const isTargetName = (name: string): boolean => TARGET_NAME.test(name.trim());
export const isPredictionName = (name: string): boolean => PREDICTION_NAME.test(name.trim()) || PREDICTION_PREFIX.test(numberedName(name)?.prefix.trim() ?? '');
export const isTargetGroupPrefix = (prefix: string): boolean => TARGET_PREFIX.test(prefix.trim());

/** How far from 1 a sampled row may sum and still be read as a target distribution when detecting the task. */
export const DISTRIBUTION_SUM_TOLERANCE = 1e-6;
