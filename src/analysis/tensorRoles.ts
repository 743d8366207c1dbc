import { leadingElements } from '../readers/storedElements';
import type { Tensor, TensorFile } from '../readers/tensor';
import type { RoleOverrides } from './roles';

const TARGET_NAMES = /(^|[._/])(labels?|targets?|y|gt|y_?true|class(es)?|truth)$/i;
const PREDICTION_NAMES = /(^|[._/])(logits?|probs?|probabilities|log_?probs?|scores?|preds?|predictions?|outputs?|y_?pred|q)$/i;

export interface TensorRoles {
  readonly target: Tensor;
  readonly prediction: Tensor;
  readonly reason: string;
}

const describe = (tensor: Tensor) => `${tensor.name} ${tensor.dtype}[${tensor.shape.join(', ')}]`;

function byName(file: TensorFile, name: string): Tensor {
  const tensor = file.tensors.find((t) => t.name === name);
  if (!tensor) throw new Error(`no tensor named '${name}' (tensors: ${file.tensors.map(describe).join(', ') || 'none'})`);
  return tensor;
}

/** Integer values, whatever the dtype says: labels saved as float are common. */
function holdsClassIndices(tensor: Tensor): boolean {
  if (tensor.shape.length !== 1 || tensor.shape[0] === 0) return false;
  const leading = leadingElements(tensor, 10_000);
  for (let i = 0; i < leading.length; i++) {
    const v = leading[i]!;
    if (!Number.isInteger(v) || v < 0) return false;
  }
  return true;
}

/** Picks the [n, K] prediction tensor and the [n] label tensor by name and shape, unless the user said. */
export function chooseTensorRoles(file: TensorFile, overrides: RoleOverrides = {}): TensorRoles {
  const reasons: string[] = [];
  let prediction: Tensor | undefined;
  if (overrides.predictions && overrides.predictions.length > 0) {
    if (overrides.predictions.length > 1) throw new Error('name one prediction tensor of shape [n, K]');
    prediction = byName(file, overrides.predictions[0]!);
    reasons.push(`predictions '${prediction.name}' as asked`);
  } else {
    const matrices = file.tensors.filter((t) => t.shape.length === 2 && t.shape[1]! >= 2 && t.shape[0]! > 0);
    prediction = matrices.find((t) => PREDICTION_NAMES.test(t.name)) ?? matrices[0];
    if (!prediction) throw new Error(`no tensor of shape [n, K] to read as predictions (tensors: ${file.tensors.map(describe).join(', ') || 'none'})`);
    reasons.push(`predictions '${prediction.name}' [${prediction.shape.join(', ')}] ${PREDICTION_NAMES.test(prediction.name) ? 'by its name' : 'as the only [n, K] tensor'}`);
  }
  if (prediction.shape.length !== 2) throw new Error(`predictions '${prediction.name}' must have shape [n, K], not [${prediction.shape.join(', ')}]`);
  const n = prediction.shape[0]!;

  let target: Tensor | undefined;
  if (overrides.target !== undefined) {
    target = byName(file, overrides.target);
    reasons.push(`labels '${target.name}' as asked`);
  } else {
    const vectors = file.tensors.filter((t) => t !== prediction && t.shape.length === 1 && t.shape[0] === n);
    target = vectors.find((t) => TARGET_NAMES.test(t.name)) ?? vectors.find(holdsClassIndices);
    if (!target) throw new Error(`no tensor of shape [${n}] to read as labels for '${prediction.name}' (tensors: ${file.tensors.map(describe).join(', ')})`);
    reasons.push(`labels '${target.name}' ${TARGET_NAMES.test(target.name) ? 'by its name' : 'as the [n] tensor of class indices'}`);
  }
  if (target.shape.length !== 1 || target.shape[0] !== n) {
    throw new Error(`labels '${target.name}' [${target.shape.join(', ')}] do not match predictions '${prediction.name}' [${prediction.shape.join(', ')}]`);
  }
  return { target, prediction, reason: reasons.join('; ') };
}
