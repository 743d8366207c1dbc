import { DataFileError, listNames, quoteName } from '../readers/errors';
import { columnByName, type Table } from '../readers/table';
import type { ClassifierRoles, RowTaskRoles, TableRoles } from './chosenRoles';
import {
  DISTRIBUTION_SUM_TOLERANCE,
  isPredictionName,
  isTargetGroupPrefix,
  isTargetName,
  numberedGroups,
  PREDICTION_PREFIX,
  type RoleOptions,
  type RowTask,
  type Task,
} from './vocabulary';

const columnNames = (table: Table) => table.columns.map((column) => column.name);

function columnValues(table: Table, name: string): Float64Array {
  return columnByName(table, name)!.values;
}

/** Names asked for that the table does not have, saying which it does (and which of them are text, read as no numbers). */
function absentColumns(table: Table, absent: readonly string[]): Error {
  const textNames = (table.textColumns ?? []).map((column) => column.name);
  const text = absent.filter((name) => textNames.includes(name));
  const missing = absent.filter((name) => !text.includes(name));
  const parts = [
    ...(missing.length > 0 ? [`no column named ${missing.map(quoteName).join(', ')}`] : []),
    ...(text.length > 0 ? [`${text.map(quoteName).join(', ')} ${text.length > 1 ? 'are text columns' : 'is a text column'}, not numbers`] : []),
  ];
  const others = textNames.length > 0 ? `; text columns: ${listNames(textNames)}` : '';
  return new Error(`${parts.join('; ')} (numeric columns: ${listNames(columnNames(table)) || 'none'}${others})`);
}

function requireColumns(table: Table, names: readonly string[]): void {
  const absent = names.filter((name) => columnByName(table, name) === undefined);
  if (absent.length > 0) throw absentColumns(table, absent);
}

/** Every sampled row of the columns lies in [0, 1] and sums to 1: a distribution. */
function holdsDistributions(table: Table, names: readonly string[]): boolean {
  const columns = names.map((name) => columnValues(table, name));
  for (let i = 0; i < table.rowCount; i++) {
    let total = 0;
    for (const column of columns) {
      const v = column[i]!;
      if (!(v >= 0 && v <= 1)) return false;
      total += v;
    }
    if (Math.abs(total - 1) > DISTRIBUTION_SUM_TOLERANCE) return false;
  }
  return true;
}

/** A column with a finite value that is not an integer cannot hold class labels. */
function holdsNonIntegers(table: Table, name: string): boolean {
  return columnValues(table, name).some((v) => Number.isFinite(v) && !Number.isInteger(v));
}

/** The classifier's label and class-score columns: by name, falling back to position, unless the user said. */
export function classifierColumns(table: Table, options: RoleOptions = {}): Omit<ClassifierRoles, 'task'> {
  const names = columnNames(table);
  if (names.length < 2) throw new Error(`needs a label column and at least one prediction column; found ${names.length} numeric column(s)`);
  const reasons: string[] = [];
  let target = options.target;
  if (target !== undefined) {
    if (!names.includes(target)) throw absentColumns(table, [target]);
    reasons.push(`target ${quoteName(target)} as asked`);
  } else {
    target = names.find(isTargetName);
    if (target !== undefined) reasons.push(`target ${quoteName(target)} by its name`);
    else {
      target = names[0]!;
      reasons.push(`target ${quoteName(target)}, the first column (no column is named label/target/y)`);
    }
  }
  let predictions = options.predictions;
  if (predictions !== undefined && predictions.length > 0) {
    requireColumns(table, predictions);
    if (predictions.includes(target)) throw new Error(`${quoteName(target)} cannot be both the target and a prediction`);
    reasons.push('predictions as asked');
  } else {
    const rest = names.filter((name) => name !== target);
    const named = rest.filter(isPredictionName);
    predictions = named.length > 0 ? named : rest;
    reasons.push(named.length > 0 ? `${named.length} prediction columns by their names` : `the other ${rest.length} columns as predictions`);
    // A column the name rule passes over is easy to miss: say which, so it can be picked by hand.
    const leftOut = named.length > 0 ? rest.filter((name) => !named.includes(name)) : [];
    if (leftOut.length > 0) reasons.push(`left out ${leftOut.map(quoteName).join(', ')} (not a prediction name)`);
  }
  return { target, predictions: [...predictions], reason: reasons.join('; ') };
}

/** The target columns as asked, or a group of numbered columns named like targets. */
function targetColumns(table: Table, options: RoleOptions): { names: string[]; reason: string } | undefined {
  if (options.targets?.length) {
    requireColumns(table, options.targets);
    return { names: [...options.targets], reason: 'targets as asked' };
  }
  if (options.target !== undefined) {
    requireColumns(table, [options.target]);
    return { names: [options.target], reason: `target ${quoteName(options.target)} as asked` };
  }
  for (const [prefix, group] of numberedGroups(columnNames(table))) {
    if (isTargetGroupPrefix(prefix) && group.length > 1) return { names: group, reason: `targets ${group.join(', ')} by their names` };
  }
  return undefined;
}

/**
 * A file of predictions alone: nothing asked for or named like a target, and all its columns
 * one group named like predictions (logits z0..z9) or rows that are distributions.
 */
function unlabelledPredictions(table: Table, options: RoleOptions): boolean {
  if (options.target !== undefined || options.targets?.length) return false;
  const names = columnNames(table).map((name) => name.trim());
  if (names.some((name) => isTargetName(name) || isTargetGroupPrefix(name.replace(/[_\s.-]?\d+$/, '')))) return false;
  const groups = [...numberedGroups(names)];
  const oneNamedGroup = groups.length === 1 && groups[0]![1].length === names.length && PREDICTION_PREFIX.test(groups[0]![0]);
  return oneNamedGroup || holdsDistributions(table, names);
}

/**
 * Which analysis a table calls for, from the options and (on its sampled rows) the columns:
 * asked for; a family or variance given; one column is a fit; several target columns holding
 * distributions are soft targets, other several are regression outputs; one target column of
 * non-integers is a regression; otherwise a classifier, binary when it has one score column.
 */
export function tableTask(table: Table, options: RoleOptions): { task: Task; reason: string } {
  if (options.task) return { task: options.task, reason: `${options.task} as asked` };
  if (options.dist) return { task: 'fit', reason: `a ${options.dist} fit as asked` };
  // sigma alone says nothing: the editor passes its default sigma setting with every request.
  if (options.variance?.length) return { task: 'regression', reason: 'regression: a variance column was given' };
  const names = columnNames(table);
  if (names.length === 1) return { task: 'fit', reason: 'a fit of the only numeric column' };
  if (unlabelledPredictions(table, options)) return { task: 'entropy', reason: 'no labels: no column is named like a target and every row is a prediction' };
  const targets = targetColumns(table, options);
  if (targets && targets.names.length > 1) {
    return holdsDistributions(table, targets.names)
      ? { task: 'soft', reason: `soft targets: the ${targets.names.length} target columns hold probability distributions` }
      : { task: 'regression', reason: `regression: ${targets.names.length} target columns that are not distributions` };
  }
  const target = options.target ?? (names.includes(options.targets?.[0] ?? '') ? options.targets![0]! : classifierColumns(table, {}).target);
  if (names.includes(target) && holdsNonIntegers(table, target))
    return { task: 'regression', reason: `regression: target ${quoteName(target)} holds values that are not class indices` };
  return { task: 'categorical', reason: 'classification' };
}

/** The columns of a soft, regression, fit or entropy analysis of a table. */
export function rowTaskColumns(table: Table, task: RowTask, options: RoleOptions): RowTaskRoles {
  const names = columnNames(table);
  if (task === 'entropy') {
    const predictions = options.predictions?.length ? [...options.predictions] : names;
    requireColumns(table, predictions);
    if (predictions.length < 2) throw new Error('the entropy of predictions needs at least two class columns');
    return {
      task,
      targets: [],
      predictions,
      variance: [],
      reason: options.predictions?.length ? 'predictions as asked' : `predictions ${predictions.join(', ')}: every column`,
    };
  }
  if (task === 'fit') {
    const target = options.target ?? options.targets?.[0] ?? names[0];
    if (target === undefined) throw new Error('there is no numeric column to fit');
    requireColumns(table, [target]);
    const reason =
      options.target !== undefined || options.targets?.length
        ? `column ${quoteName(target)} as asked`
        : names.length === 1
          ? `column ${quoteName(target)}, the only one`
          : `column ${quoteName(target)}, the first (choose another with target)`;
    return { task, targets: [target], predictions: [], variance: [], reason };
  }
  let targets = targetColumns(table, options);
  if (!targets) {
    const target = classifierColumns(table, {}).target;
    targets = { names: [target], reason: `target ${quoteName(target)}` };
  }
  const k = targets.names.length;
  const reasons = [targets.reason];
  const variance = options.variance ?? [];
  requireColumns(table, variance);
  if (variance.length > 0) {
    if (task !== 'regression') throw new Error('a variance column applies to regression only');
    if (variance.length !== 1 && variance.length !== k)
      throw new Error(`${variance.length} variance columns for ${k} outputs: give one per output or one for the row`);
    reasons.push(`variance ${variance.join(', ')} as asked`);
  }
  let predictions = options.predictions?.length ? [...options.predictions] : undefined;
  if (predictions) {
    requireColumns(table, predictions);
    reasons.push('predictions as asked');
  } else {
    const taken = new Set([...targets.names, ...variance]);
    const groups = [...numberedGroups(names)]
      .map(([prefix, group]) => ({ prefix, group: group.filter((name) => !taken.has(name)) }))
      .filter(({ group }) => group.length === k);
    const singles = names.filter((name) => !taken.has(name)).map((name) => ({ prefix: name, group: [name] }));
    const candidates = k === 1 ? singles : groups;
    const chosen = candidates.find(({ prefix }) => PREDICTION_PREFIX.test(prefix.trim())) ?? candidates[0];
    if (!chosen) throw new Error(`no ${k} prediction column(s) to pair with the targets ${targets.names.join(', ')}; name them with predictions`);
    predictions = chosen.group;
    reasons.push(
      `predictions ${predictions.join(', ')} ${PREDICTION_PREFIX.test(chosen.prefix.trim()) ? 'by their names' : 'as the next columns of the same count'}`,
    );
  }
  if (predictions.length !== k) throw new Error(`${k} target column(s) but ${predictions.length} prediction column(s)`);
  const overlap = predictions.find((name) => targets!.names.includes(name));
  if (overlap !== undefined) throw new Error(`${quoteName(overlap)} cannot be both a target and a prediction`);
  return { task, targets: targets.names, predictions, variance, reason: reasons.join('; ') };
}

/** The task a table calls for and its columns; a choice that cannot be made names the file. */
export function chooseTableRoles(table: Table, fileName: string, options: RoleOptions = {}): TableRoles {
  try {
    const { task, reason } = tableTask(table, options);
    if (task === 'lm')
      throw new Error("a language model's logits [B, T, V] and token ids [B, T] come in a tensor file (.pt, .safetensors, .npz, .npy), not a table");
    if (task === 'categorical' || task === 'binary') {
      const columns = classifierColumns(table, options);
      // One score column is a binary classifier's P(class 1) or logit, whatever was asked.
      return { task: columns.predictions.length === 1 ? 'binary' : 'categorical', ...columns };
    }
    const roles = rowTaskColumns(table, task, options);
    return { ...roles, reason: `${reason}; ${roles.reason}` };
  } catch (error) {
    if (error instanceof DataFileError) throw error;
    throw new DataFileError(fileName, '', (error as Error).message);
  }
}
