import type { RowMatrix } from '../engine/reduction';
import type { Tensor, TensorFile } from '../readers/tensor';
import type { TaskRoles } from './taskRoles';
import type { AnalysisOptions, Task } from './types';

const TARGET_NAMES = /(^|[._/])(labels?|targets?|soft_?targets?|y|gt|y_?true|truth)$/i;
const PREDICTION_NAMES = /(^|[._/])(logits?|probs?|probabilities|log_?probs?|scores?|preds?|predictions?|outputs?|y_?pred|y_?hat|yhat|mu|mean|q)$/i;

/** The task a tensor file calls for when the options name one (tensors are read as a classifier's otherwise). */
export function tensorTask(options: AnalysisOptions): Exclude<Task, 'categorical' | 'binary'> | undefined {
  if (options.task === 'soft' || options.task === 'regression' || options.task === 'fit' || options.task === 'entropy') return options.task;
  if (options.task) return undefined;
  if (options.dist) return 'fit';
  if (options.variance?.length) return 'regression';
  return undefined;
}

/** A tensor as n rows of k values: [n] is k = 1, [n, k] is itself. */
function asRows(tensor: Tensor): RowMatrix {
  if (tensor.shape.length > 2 || tensor.shape.length === 0) throw new Error(`tensor '${tensor.name}' has shape [${tensor.shape.join(', ')}]; expected [n] or [n, k]`);
  return { n: tensor.shape[0]!, k: tensor.shape[1] ?? 1, values: tensor.data };
}

function named(file: TensorFile, name: string): Tensor {
  const tensor = file.tensors.find((t) => t.name === name);
  if (!tensor) throw new Error(`no tensor named '${name}' (tensors: ${file.tensors.map((t) => t.name).join(', ') || 'none'})`);
  return tensor;
}

/** The tensors of a soft, regression or fit analysis, as row matrices in the order the pass reads them. */
export function chooseTensorTaskRoles(file: TensorFile, task: TaskRoles['task'], options: AnalysisOptions): { roles: TaskRoles; blocks: RowMatrix[] } {
  const asked = (names: readonly string[] | undefined) => (names && names.length > 0 ? named(file, names[0]!) : undefined);
  const pick = (pattern: RegExp, exclude: Tensor[], shape?: readonly number[]) =>
    file.tensors.find((t) => !exclude.includes(t) && pattern.test(t.name) && (!shape || t.shape.join() === shape.join())) ??
    file.tensors.find((t) => !exclude.includes(t) && (!shape || t.shape.join() === shape.join()));
  if (task === 'entropy') {
    const predictions = asked(options.predictions) ?? file.tensors.find((t) => t.shape.length === 2 && PREDICTION_NAMES.test(t.name)) ?? file.tensors.find((t) => t.shape.length === 2);
    if (!predictions || predictions.shape.length !== 2) throw new Error('the entropy of predictions needs an [n, K] tensor');
    const rows = asRows(predictions);
    const columns = Array.from({ length: rows.k }, (_, j) => `${predictions.name}[:, ${j}]`);
    return { roles: { task, targets: [], predictions: columns, variance: [], reason: `entropy of '${predictions.name}' as asked` }, blocks: [rows] };
  }
  const target = asked(options.targets) ?? (options.target !== undefined ? named(file, options.target) : pick(TARGET_NAMES, []));
  if (!target) throw new Error('no tensor to analyse');
  const targetRows = asRows(target);
  if (task === 'fit') {
    return { roles: { task, targets: [target.name], predictions: [], variance: [], reason: `tensor '${target.name}'` }, blocks: [{ n: target.data.length, k: 1, values: target.data }] };
  }
  const prediction = asked(options.predictions) ?? pick(PREDICTION_NAMES, [target], target.shape);
  if (!prediction) throw new Error(`no tensor of shape [${target.shape.join(', ')}] to read as predictions for '${target.name}'`);
  const predictionRows = asRows(prediction);
  if (predictionRows.n !== targetRows.n || predictionRows.k !== targetRows.k) throw new Error(`targets '${target.name}' [${target.shape.join(', ')}] do not match predictions '${prediction.name}' [${prediction.shape.join(', ')}]`);
  const blocks = [targetRows, predictionRows];
  const variance = asked(options.variance);
  if (variance) {
    const rows = asRows(variance);
    if (rows.n !== targetRows.n || (rows.k !== 1 && rows.k !== targetRows.k)) throw new Error(`variance '${variance.name}' [${variance.shape.join(', ')}] does not match targets [${target.shape.join(', ')}]`);
    blocks.push(rows);
  }
  const columns = (tensor: Tensor, k: number) => Array.from({ length: k }, (_, j) => (k === 1 ? tensor.name : `${tensor.name}[:, ${j}]`));
  return {
    roles: {
      task,
      targets: columns(target, targetRows.k),
      predictions: columns(prediction, predictionRows.k),
      variance: variance ? columns(variance, blocks[2]!.k) : [],
      reason: `${task} as asked: targets '${target.name}', predictions '${prediction.name}'${variance ? `, variance '${variance.name}'` : ''}`,
    },
    blocks,
  };
}
