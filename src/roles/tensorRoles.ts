import { DataFileError, listNames, quoteName } from '../readers/errors';
import { leadingElements } from '../readers/storedElements';
import type { Tensor, TensorFile } from '../readers/tensor';
import type { ChosenRoles, ClassifierRoles, RowTaskRoles } from './chosenRoles';
import { languageModelRoles } from './languageModelRoles';
import { DISTRIBUTION_SUM_TOLERANCE, isPredictionName, isTargetName, type RoleOptions, type RowTask, type Task } from './vocabulary';

/** How many leading values of a tensor decide what it holds (class indices, distributions). */
const SAMPLED_VALUES = 10_000;

/** Roles of a tensor file: the chosen roles, and the tensors they name in the order a pass reads them (targets, predictions, variance). */
export type TensorRoles = ChosenRoles & { readonly tensors: readonly Tensor[] };

const describe = (tensor: Tensor) => `${listNames([tensor.name])} ${tensor.dtype}[${tensor.shape.join(', ')}]`;
const listed = (file: TensorFile) => file.tensors.map(describe).join(', ') || 'none';

function named(file: TensorFile, name: string): Tensor {
  const tensor = file.tensors.find((t) => t.name === name);
  if (!tensor) throw new Error(`no tensor named ${quoteName(name)} (tensors: ${listed(file)})`);
  return tensor;
}

const isMatrix = (t: Tensor) => t.shape.length === 2 && t.shape[0]! > 0 && t.shape[1]! >= 2;
const isVector = (t: Tensor) => t.shape.length === 1 && t.shape[0]! > 0;

/** Non-negative integers in the leading values, whatever the dtype says: labels saved as float are common. */
function holdsClassIndices(tensor: Tensor): boolean {
  if (!isVector(tensor)) return false;
  const leading = leadingElements(tensor, SAMPLED_VALUES);
  for (let i = 0; i < leading.length; i++) {
    const v = leading[i]!;
    if (!Number.isInteger(v) || v < 0) return false;
  }
  return true;
}

/** The leading rows of an [n, K] tensor lie in [0, 1] and sum to 1. */
function holdsDistributions(tensor: Tensor): boolean {
  if (!isMatrix(tensor)) return false;
  const k = tensor.shape[1]!;
  const leading = leadingElements(tensor, Math.max(k, SAMPLED_VALUES - (SAMPLED_VALUES % k)));
  for (let row = 0; row + k <= leading.length; row += k) {
    let total = 0;
    for (let j = row; j < row + k; j++) {
      const v = leading[j]!;
      if (!(v >= 0 && v <= 1)) return false;
      total += v;
    }
    if (Math.abs(total - 1) > DISTRIBUTION_SUM_TOLERANCE) return false;
  }
  return true;
}

/** A classifier's [n, K] (or [n] binary) score tensor and its [n] labels, when the file has them. */
function findClassifierPair(file: TensorFile, options: RoleOptions): { prediction: Tensor; target: Tensor; reason: string } | undefined {
  const reasons: string[] = [];
  let prediction: Tensor | undefined;
  if (options.predictions?.length) {
    if (options.predictions.length > 1) throw new Error('name one prediction tensor of shape [n, K]');
    prediction = named(file, options.predictions[0]!);
    reasons.push(`predictions ${quoteName(prediction.name)} as asked`);
  } else {
    const matrices = file.tensors.filter(isMatrix);
    prediction = matrices.find((t) => isPredictionName(t.name)) ?? matrices[0];
    if (!prediction) {
      // A binary classifier: one [n] score tensor named like predictions beside [n] labels.
      prediction = file.tensors.find((t) => isVector(t) && isPredictionName(t.name));
      if (!prediction) return undefined;
    }
    reasons.push(
      `predictions ${quoteName(prediction.name)} [${prediction.shape.join(', ')}] ${isPredictionName(prediction.name) ? 'by its name' : 'as the only [n, K] tensor'}`,
    );
  }
  if (prediction.shape.length !== 2 && prediction.shape.length !== 1)
    throw new Error(`predictions ${quoteName(prediction.name)} must have shape [n, K] or [n], not [${prediction.shape.join(', ')}]`);
  const n = prediction.shape[0]!;
  let target: Tensor | undefined;
  if (options.target !== undefined) {
    target = named(file, options.target);
    reasons.push(`labels ${quoteName(target.name)} as asked`);
  } else {
    const vectors = file.tensors.filter((t) => t !== prediction && t.shape.length === 1 && t.shape[0] === n);
    target = vectors.find((t) => isTargetName(t.name)) ?? vectors.find(holdsClassIndices);
    if (!target) return undefined;
    reasons.push(`labels ${quoteName(target.name)} ${isTargetName(target.name) ? 'by its name' : 'as the [n] tensor of class indices'}`);
  }
  if (target.shape.length !== 1 || target.shape[0] !== n) {
    throw new Error(
      `labels ${quoteName(target.name)} [${target.shape.join(', ')}] do not match predictions ${quoteName(prediction.name)} [${prediction.shape.join(', ')}]`,
    );
  }
  return { prediction, target, reason: reasons.join('; ') };
}

/** Why no classifier pair was found, for the error of a file asked to be read as one. */
function noClassifierPair(file: TensorFile): string {
  const prediction = file.tensors.find(isMatrix);
  if (!prediction) return `no tensor of shape [n, K] to read as predictions (tensors: ${listed(file)})`;
  return `no tensor of shape [${prediction.shape[0]}] to read as labels for ${quoteName(prediction.name)} (tensors: ${listed(file)})`;
}

/**
 * Which analysis a tensor file calls for, as for a table: asked for; a family or variance given;
 * a language model's logits [B, T, V] (or per-token log-probabilities) with token ids; a classifier's [n, K] scores with [n] labels; targets and predictions of the same shape (soft
 * when the targets are distributions, regression otherwise); a lone [n, K] tensor of
 * predictions is the entropy task; a lone [n] tensor is a fit.
 */
function tensorTask(file: TensorFile, options: RoleOptions): { task: Task; reason: string } {
  if (options.task) return { task: options.task, reason: `${options.task} as asked` };
  if (options.dist) return { task: 'fit', reason: `a ${options.dist} fit as asked` };
  if (options.variance?.length) return { task: 'regression', reason: 'regression: a variance tensor was given' };
  if (options.targets?.length) return { task: 'regression', reason: 'regression: targets were given' };
  if (languageModelRoles(file, options, false)) return { task: 'lm', reason: 'language model' };
  const pair = findClassifierPair(file, options);
  if (pair) {
    if (pair.prediction.shape.length === 2 || holdsClassIndices(pair.target))
      return { task: pair.prediction.shape.length === 1 ? 'binary' : 'categorical', reason: 'classification' };
    return { task: 'regression', reason: `regression: ${quoteName(pair.target.name)} holds values that are not class indices` };
  }
  const target = file.tensors.find((t) => isTargetName(t.name) && (isMatrix(t) || isVector(t)));
  if (target && file.tensors.some((t) => t !== target && t.shape.join() === target.shape.join())) {
    return holdsDistributions(target)
      ? { task: 'soft', reason: `soft targets: the rows of ${quoteName(target.name)} are probability distributions` }
      : { task: 'regression', reason: `regression: targets ${quoteName(target.name)} beside predictions of the same shape` };
  }
  const matrices = file.tensors.filter(isMatrix);
  if (matrices.length > 0 && !file.tensors.some((t) => isTargetName(t.name))) {
    const predictions = matrices.find((t) => isPredictionName(t.name)) ?? matrices[0]!;
    if (isPredictionName(predictions.name) || holdsDistributions(predictions))
      return {
        task: 'entropy',
        reason: `no labels: ${quoteName(predictions.name)} [${predictions.shape.join(', ')}] holds predictions and no tensor is named like labels`,
      };
  }
  const vectors = file.tensors.filter(isVector);
  if (vectors.length > 0 && matrices.length === 0)
    return { task: 'fit', reason: vectors.length === 1 ? `a fit of the only [n] tensor ${quoteName(vectors[0]!.name)}` : `a fit of an [n] tensor` };
  throw new Error(noClassifierPair(file));
}

/** A tensor's column names as the panel lists them: `y` for [n], `q[:, 0]`... for [n, k]. */
const columnsOf = (tensor: Tensor) => {
  const k = tensor.shape[1] ?? 1;
  return Array.from({ length: k }, (_, j) => (tensor.shape.length === 1 ? tensor.name : `${tensor.name}[:, ${j}]`));
};

/** The tensors of a soft, regression, fit or entropy analysis, in the order the pass reads them. */
function rowTaskTensors(file: TensorFile, task: RowTask, options: RoleOptions): RowTaskRoles & { tensors: Tensor[] } {
  const asked = (names: readonly string[] | undefined) => (names && names.length > 0 ? named(file, names[0]!) : undefined);
  const sameShape = (a: Tensor, b: Tensor) => a.shape.join() === b.shape.join();
  if (task === 'entropy') {
    const matrices = file.tensors.filter(isMatrix);
    const predictions = asked(options.predictions) ?? matrices.find((t) => isPredictionName(t.name)) ?? matrices[0];
    if (!predictions || !isMatrix(predictions)) throw new Error(`the entropy of predictions needs an [n, K] tensor (tensors: ${listed(file)})`);
    return {
      task,
      targets: [],
      predictions: columnsOf(predictions),
      variance: [],
      reason: `predictions ${quoteName(predictions.name)} [${predictions.shape.join(', ')}]`,
      tensors: [predictions],
    };
  }
  const shaped = (t: Tensor) => t.shape.length === 1 || t.shape.length === 2;
  const target =
    asked(options.targets) ??
    (options.target !== undefined ? named(file, options.target) : undefined) ??
    file.tensors.find((t) => shaped(t) && isTargetName(t.name)) ??
    (task === 'fit' ? file.tensors.find(isVector) : undefined) ??
    file.tensors.find(shaped);
  if (!target) throw new Error(`no tensor of shape [n] or [n, k] to analyse (tensors: ${listed(file)})`);
  if (!shaped(target)) throw new Error(`tensor ${quoteName(target.name)} has shape [${target.shape.join(', ')}]; expected [n] or [n, k]`);
  if (task === 'fit') return { task, targets: [target.name], predictions: [], variance: [], reason: `tensor ${quoteName(target.name)}`, tensors: [target] };
  const prediction =
    asked(options.predictions) ??
    file.tensors.find((t) => t !== target && sameShape(t, target) && isPredictionName(t.name)) ??
    file.tensors.find((t) => t !== target && sameShape(t, target));
  if (!prediction)
    throw new Error(`no tensor of shape [${target.shape.join(', ')}] to read as predictions for ${quoteName(target.name)} (tensors: ${listed(file)})`);
  if (!sameShape(prediction, target))
    throw new Error(
      `targets ${quoteName(target.name)} [${target.shape.join(', ')}] do not match predictions ${quoteName(prediction.name)} [${prediction.shape.join(', ')}]`,
    );
  const variance = asked(options.variance);
  if (variance) {
    if (task !== 'regression') throw new Error('a variance tensor applies to regression only');
    const ok = variance.shape[0] === target.shape[0] && (variance.shape.length === 1 || sameShape(variance, target));
    if (!ok) throw new Error(`variance ${quoteName(variance.name)} [${variance.shape.join(', ')}] does not match targets [${target.shape.join(', ')}]`);
  }
  return {
    task,
    targets: columnsOf(target),
    predictions: columnsOf(prediction),
    variance: variance ? columnsOf(variance) : [],
    reason: `targets ${quoteName(target.name)}, predictions ${quoteName(prediction.name)}${variance ? `, variance ${quoteName(variance.name)}` : ''}`,
    tensors: variance ? [target, prediction, variance] : [target, prediction],
  };
}

/** The task a tensor file calls for and the tensors that play each part; a choice that cannot be made names the file. */
export function chooseTensorRoles(file: TensorFile, fileName: string, options: RoleOptions = {}): TensorRoles {
  try {
    const { task, reason } = tensorTask(file, options);
    if (task === 'lm') return languageModelRoles(file, options, true)!;
    if (task === 'categorical' || task === 'binary') {
      const pair = findClassifierPair(file, options);
      if (!pair) throw new Error(noClassifierPair(file));
      const roles: ClassifierRoles = {
        task: pair.prediction.shape.length === 1 ? 'binary' : 'categorical',
        target: pair.target.name,
        predictions: [pair.prediction.name],
        reason: pair.reason,
      };
      return { ...roles, tensors: [pair.target, pair.prediction] };
    }
    const roles = rowTaskTensors(file, task, options);
    return { ...roles, reason: `${reason}; ${roles.reason}` };
  } catch (error) {
    if (error instanceof DataFileError) throw error;
    throw new DataFileError(fileName, '', (error as Error).message);
  }
}

/** Whether the file has everything a classifier needs, without a partner file. */
export function hasClassifierPair(file: TensorFile, options: RoleOptions = {}): boolean {
  try {
    return findClassifierPair(file, options) !== undefined;
  } catch {
    return false;
  }
}

/** Whether the file has everything a language model's analysis needs, without a partner file. */
export function hasLanguageModelRoles(file: TensorFile, options: RoleOptions = {}): boolean {
  try {
    return languageModelRoles(file, options, false) !== undefined;
  } catch {
    return false;
  }
}
