/**
 * The roles vocabulary: the tasks, the fit families, and the names people give label and
 * prediction columns or tensors. Every chooser reads its names from here, so a table and a
 * tensor file with the same names get the same roles.
 */
import { quoteName } from '../readers/errors';

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
  /** A language model's attention mask [B, T] (0: not scored). */
  readonly mask?: string;
  /**
   * A language model's alignment: true, logits at position t score target t + 1 (Hugging Face
   * causal LMs); false, target t. Detected from the target tensor's name when left out.
   */
  readonly shift?: boolean;
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

/** The last part of a dotted tensor name ("outputs.labels" is "labels"), lower case. */
const lastPart = (name: string) =>
  name
    .slice(name.lastIndexOf('.') + 1)
    .trim()
    .toLowerCase();

/** A language model's [B, T, V] scores: `logits`, Trainer.predict's `predictions`, `outputs.scores`. */
export const isLanguageModelPredictionName = (name: string): boolean => /^(logits|predictions|scores|outputs?)$/.test(lastPart(name));
/** A language model's [B, T] token ids: already aligned labels, or the input tokens themselves. */
export const isTokenTargetName = (name: string): boolean => /^(labels|label_ids|targets|input_ids|tokens)$/.test(lastPart(name));
/** Per-token log-probabilities [B, T], as lm-evaluation-harness or an API's logprobs give them. */
export const isTokenLogProbabilityName = (name: string): boolean => /^(token_logprobs|logprobs|log_probs)$/.test(lastPart(name));
/** An attention mask [B, T] of 0 and 1. */
export const isMaskName = (name: string): boolean => /^(attention_mask|mask|loss_mask)$/.test(lastPart(name));

export interface DefaultAlignment {
  readonly shift: boolean;
  /** Why, as a sentence for the panel. */
  readonly reason: string;
}

const UNSHIFTED_NAMES = new Set(['labels', 'label_ids', 'targets']);
const SHIFTED_NAMES = new Set(['input_ids', 'tokens']);

/**
 * The alignment a target tensor's name suggests. Only the last part of a dotted name counts
 * ("outputs.labels" is "labels"), case-insensitively. Either way the off-by-one check compares
 * both alignments on the data.
 */
export function defaultAlignment(targetName: string): DefaultAlignment {
  const name = lastPart(targetName);
  if (SHIFTED_NAMES.has(name)) {
    return {
      shift: true,
      reason: `${quoteName(name)} holds the model's input tokens, so logits at position t score the token at t + 1, as a Hugging Face causal LM's loss does.`,
    };
  }
  if (UNSHIFTED_NAMES.has(name)) {
    return {
      shift: false,
      reason: `${quoteName(name)} is taken as already aligned with the logits (position t scores target t), as F.cross_entropy, the Trainer's label_ids and encoder-decoder models have them.`,
    };
  }
  return { shift: false, reason: `No known name: position t scores target t, as F.cross_entropy does.` };
}
