import { DataFileError } from '../readers/errors';
import { columnByName, type Table } from '../readers/table';
import { chooseRoles, TARGET_NAMES } from './roles';
import type { AnalysisOptions, Task } from './types';

/** The columns of a soft, regression or fit analysis, in the order the pass reads them. */
export interface TaskRoles {
  readonly task: 'soft' | 'regression' | 'fit' | 'entropy';
  readonly targets: readonly string[];
  readonly predictions: readonly string[];
  readonly variance: readonly string[];
  readonly reason: string;
}

const TARGET_PREFIX = /^(t|targets?|soft_?targets?|labels?|y|y_?true|gt|truth|p_?true)$/i;
const PREDICTION_PREFIX = /^(q|p|probs?|proba|probability|logits?|z|log_?probs?|scores?|preds?|predictions?|outputs?|y_?pred|y_?hat|yhat|mu|mean)$/i;
const SUM_TOLERANCE = 1e-6;

/** Columns named prefix0, prefix1, ... (or prefix_0, ...) grouped by prefix, in file order. */
function columnGroups(names: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const name of names) {
    const match = /^(.*?)[_\s.-]?(\d+)$/.exec(name.trim());
    if (!match || match[1] === '') continue;
    const group = groups.get(match[1]!) ?? [];
    group.push(name);
    groups.set(match[1]!, group);
  }
  return groups;
}

function columnValues(table: Table, name: string): Float64Array {
  return columnByName(table, name)!.values;
}

function missing(table: Table, names: readonly string[]): void {
  const absent = names.filter((name) => columnByName(table, name) === undefined);
  const all = table.columns.map((column) => column.name);
  if (absent.length > 0) throw new Error(`no numeric column named ${absent.map((name) => `'${name}'`).join(', ')} (columns: ${all.join(', ')})`);
}

/** Every sampled row of the columns lies in [0, 1] and sums to 1: a target distribution. */
function holdsDistributions(table: Table, names: readonly string[]): boolean {
  const columns = names.map((name) => columnValues(table, name));
  for (let i = 0; i < table.rowCount; i++) {
    let total = 0;
    for (const column of columns) {
      const v = column[i]!;
      if (!(v >= 0 && v <= 1)) return false;
      total += v;
    }
    if (Math.abs(total - 1) > SUM_TOLERANCE) return false;
  }
  return true;
}

/** A column with a finite value that is not an integer cannot hold class labels. */
function holdsNonIntegers(table: Table, name: string): boolean {
  return columnValues(table, name).some((v) => Number.isFinite(v) && !Number.isInteger(v));
}

/**
 * Which analysis a table calls for, from the options and (on its sampled rows) the columns:
 * asked for; a family or sigma or variance given; one column is a fit; several target columns
 * holding distributions are soft targets, other several are regression outputs; one target
 * column of non-integers is a regression; otherwise the labels of a classifier.
 */
export function chooseTask(table: Table, options: AnalysisOptions): { task: Task; reason: string } {
  if (options.task) return { task: options.task, reason: `${options.task} as asked` };
  if (options.dist) return { task: 'fit', reason: `a ${options.dist} fit as asked` };
  // sigma alone says nothing: the editor passes its default sigma setting with every request.
  if (options.variance?.length) return { task: 'regression', reason: 'regression: a variance column was given' };
  const names = table.columns.map((column) => column.name);
  if (names.length === 1) return { task: 'fit', reason: 'a fit of the only numeric column' };
  if (unlabelledPredictions(table, options)) return { task: 'entropy', reason: 'no labels: no column is named like a target and every row is a prediction' };
  const targets = targetColumns(table, options);
  if (targets && targets.names.length > 1) {
    return holdsDistributions(table, targets.names)
      ? { task: 'soft', reason: `soft targets: the ${targets.names.length} target columns hold probability distributions` }
      : { task: 'regression', reason: `regression: ${targets.names.length} target columns that are not distributions` };
  }
  const target = options.target ?? (names.includes(options.targets?.[0] ?? '') ? options.targets![0]! : chooseRoles(table, {}).target);
  if (names.includes(target) && holdsNonIntegers(table, target)) return { task: 'regression', reason: `regression: target '${target}' holds values that are not class indices` };
  return { task: 'categorical', reason: 'classification' };
}

/**
 * A file of predictions alone: nothing asked for or named like a target, and all its columns
 * one group named like predictions (logits z0..z9) or rows that are distributions.
 */
function unlabelledPredictions(table: Table, options: AnalysisOptions): boolean {
  if (options.target !== undefined || options.targets?.length) return false;
  const names = table.columns.map((column) => column.name.trim());
  if (names.some((name) => TARGET_NAMES.test(name) || TARGET_PREFIX.test(name.replace(/[_\s.-]?\d+$/, '')))) return false;
  const groups = [...columnGroups(names)];
  const oneNamedGroup = groups.length === 1 && groups[0]![1].length === names.length && PREDICTION_PREFIX.test(groups[0]![0]);
  return oneNamedGroup || holdsDistributions(table, names);
}

/** The target columns as asked, or a group of numbered columns named like targets. */
function targetColumns(table: Table, options: AnalysisOptions): { names: string[]; reason: string } | undefined {
  if (options.targets?.length) {
    missing(table, options.targets);
    return { names: [...options.targets], reason: 'targets as asked' };
  }
  if (options.target !== undefined) {
    missing(table, [options.target]);
    return { names: [options.target], reason: `target '${options.target}' as asked` };
  }
  for (const [prefix, group] of columnGroups(table.columns.map((column) => column.name))) {
    if (TARGET_PREFIX.test(prefix) && group.length > 1) return { names: group, reason: `targets ${group.join(', ')} by their names` };
  }
  return undefined;
}

/** The columns of a soft, regression or fit analysis of a table. */
export function chooseTaskRoles(table: Table, task: TaskRoles['task'], options: AnalysisOptions): TaskRoles {
  const names = table.columns.map((column) => column.name);
  if (task === 'entropy') {
    const predictions = options.predictions?.length ? [...options.predictions] : names;
    missing(table, predictions);
    if (predictions.length < 2) throw new Error('the entropy of predictions needs at least two class columns');
    return { task, targets: [], predictions, variance: [], reason: options.predictions?.length ? 'predictions as asked' : `predictions ${predictions.join(', ')}: every column` };
  }
  if (task === 'fit') {
    const target = options.target ?? options.targets?.[0] ?? names[0];
    if (target === undefined) throw new Error('there is no numeric column to fit');
    missing(table, [target]);
    const reason = options.target !== undefined || options.targets?.length ? `column '${target}' as asked` : names.length === 1 ? `column '${target}', the only one` : `column '${target}', the first (choose another with target)`;
    return { task, targets: [target], predictions: [], variance: [], reason };
  }
  let targets = targetColumns(table, options);
  if (!targets) {
    const target = chooseRoles(table, {}).target;
    targets = { names: [target], reason: `target '${target}'` };
  }
  const k = targets.names.length;
  const reasons = [targets.reason];
  const variance = options.variance ?? [];
  missing(table, variance);
  if (variance.length > 0) {
    if (task !== 'regression') throw new Error('a variance column applies to regression only');
    if (variance.length !== 1 && variance.length !== k) throw new Error(`${variance.length} variance columns for ${k} outputs: give one per output or one for the row`);
    reasons.push(`variance ${variance.join(', ')} as asked`);
  }
  let predictions = options.predictions?.length ? [...options.predictions] : undefined;
  if (predictions) {
    missing(table, predictions);
    reasons.push('predictions as asked');
  } else {
    const taken = new Set([...targets.names, ...variance]);
    const groups = [...columnGroups(names)].map(([prefix, group]) => ({ prefix, group: group.filter((name) => !taken.has(name)) })).filter(({ group }) => group.length === k);
    const singles = names.filter((name) => !taken.has(name)).map((name) => ({ prefix: name, group: [name] }));
    const candidates = k === 1 ? singles : groups;
    const chosen = candidates.find(({ prefix }) => PREDICTION_PREFIX.test(prefix.trim())) ?? candidates[0];
    if (!chosen) throw new Error(`no ${k} prediction column(s) to pair with the targets ${targets.names.join(', ')}; name them with predictions`);
    predictions = chosen.group;
    reasons.push(`predictions ${predictions.join(', ')} ${PREDICTION_PREFIX.test(chosen.prefix.trim()) ? 'by their names' : 'as the next columns of the same count'}`);
  }
  if (predictions.length !== k) throw new Error(`${k} target column(s) but ${predictions.length} prediction column(s)`);
  const overlap = predictions.find((name) => targets!.names.includes(name));
  if (overlap !== undefined) throw new Error(`'${overlap}' cannot be both a target and a prediction`);
  return { task, targets: targets.names, predictions, variance, reason: reasons.join('; ') };
}

/** The roles of the task a table calls for, or undefined for a classifier's labels; a bad choice names the file. */
export function taskRolesOf(table: Table, fileName: string, options: AnalysisOptions): TaskRoles | undefined {
  try {
    const { task, reason } = chooseTask(table, options);
    if (task === 'categorical' || task === 'binary') return undefined;
    const roles = chooseTaskRoles(table, task, options);
    return { ...roles, reason: `${reason}; ${roles.reason}` };
  } catch (error) {
    throw new DataFileError(fileName, '', (error as Error).message);
  }
}
