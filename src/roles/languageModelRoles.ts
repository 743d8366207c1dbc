import { listNames, quoteName } from '../readers/errors';
import { leadingElements } from '../readers/storedElements';
import type { Tensor, TensorFile } from '../readers/tensor';
import type { LanguageModelRoles } from './chosenRoles';
import {
  defaultAlignment,
  isLanguageModelPredictionName,
  isMaskName,
  isTargetName,
  isTokenLogProbabilityName,
  isTokenTargetName,
  type RoleOptions,
} from './vocabulary';

/** How many leading values of a tensor decide whether it holds token ids. */
const SAMPLED_VALUES = 10_000;

const FLOAT_DTYPES: ReadonlySet<string> = new Set(['float16', 'bfloat16', 'float32', 'float64', 'float8_e4m3fn', 'float8_e5m2']);

const shapeOf = (tensor: Tensor) => `[${tensor.shape.join(', ')}]`;
const listed = (file: TensorFile) => file.tensors.map((t) => `${listNames([t.name])} ${t.dtype}${shapeOf(t)}`).join(', ') || 'none';
const isFloat = (tensor: Tensor) => FLOAT_DTYPES.has(tensor.dtype);
const isGrid = (tensor: Tensor, batch: number, length: number) => tensor.shape.length === 2 && tensor.shape[0] === batch && tensor.shape[1] === length;
const isScoreGrid = (tensor: Tensor) => tensor.shape.length === 3 && tensor.shape[0]! > 0 && tensor.shape[1]! > 0 && tensor.shape[2]! >= 2;

function named(file: TensorFile, name: string): Tensor {
  const tensor = file.tensors.find((t) => t.name === name);
  if (!tensor) throw new Error(`no tensor named ${quoteName(name)} (tensors: ${listed(file)})`);
  return tensor;
}

/**
 * Integers in the leading values (ids, and negative ignore indices such as -100), not all 0 and
 * 1: one-hot soft targets beside log-probabilities of the same shape are not token ids.
 */
function holdsTokenIds(tensor: Tensor): boolean {
  const leading = leadingElements(tensor, SAMPLED_VALUES);
  let beyondBinary = false;
  for (let i = 0; i < leading.length; i++) {
    const v = leading[i]!;
    if (!Number.isInteger(v)) return false;
    if (v > 1) beyondBinary = true;
  }
  return beyondBinary;
}

type Found = LanguageModelRoles & { readonly tensors: readonly Tensor[] };

/**
 * The token ids [B, T] and attention mask of a language model's predictions: as asked, else by
 * name (labels, input_ids...; attention_mask), else the only [B, T] tensor of integer ids.
 * `idsByValue`: a tensor named like token ids must hold them too (beside [B, T] log-probabilities,
 * `targets` may be a soft-target distribution).
 */
function targetsAndMask(
  file: TensorFile,
  predictions: Tensor,
  options: RoleOptions,
  reasons: string[],
  idsByValue: boolean,
): { target: Tensor | undefined; mask: Tensor | undefined } {
  const [batch, length] = predictions.shape as [number, number];
  const grid = `[${batch}, ${length}]`;
  let mask: Tensor | undefined;
  if (options.mask !== undefined) {
    mask = named(file, options.mask);
    reasons.push(`attention mask ${quoteName(mask.name)} as asked`);
  } else {
    mask = file.tensors.find((t) => t !== predictions && isMaskName(t.name));
    if (mask) reasons.push(`attention mask ${quoteName(mask.name)} by its name`);
  }
  if (mask && !isGrid(mask, batch, length))
    throw new Error(
      `attention mask ${quoteName(mask.name)} ${shapeOf(mask)} does not match ${quoteName(predictions.name)} ${shapeOf(predictions)}: it must be ${grid}`,
    );
  let target: Tensor | undefined;
  if (options.target !== undefined) {
    target = named(file, options.target);
    reasons.push(`targets ${quoteName(target.name)} as asked`);
  } else {
    const grids = file.tensors.filter((t) => t !== predictions && t !== mask && isGrid(t, batch, length));
    target = grids.find((t) => isTokenTargetName(t.name) && (!idsByValue || holdsTokenIds(t))) ?? grids.find((t) => isTargetName(t.name) && holdsTokenIds(t));
    if (target) reasons.push(`targets ${quoteName(target.name)} ${grid} by their name`);
    else {
      const ids = grids.filter(holdsTokenIds);
      target = ids.length === 1 ? ids[0] : undefined;
      if (target) reasons.push(`targets ${quoteName(target.name)} as the only ${grid} tensor of token ids`);
    }
  }
  if (target && !isGrid(target, batch, length))
    throw new Error(
      `targets ${quoteName(target.name)} ${shapeOf(target)} do not match ${quoteName(predictions.name)} ${shapeOf(predictions)}: they must be ${grid}`,
    );
  return { target, mask };
}

/**
 * A language model's roles, when the file holds them: logits [B, T, V] (named logits,
 * predictions, scores or output(s), or the only 3-D float tensor) with token ids [B, T] and an
 * optional attention mask; or per-token log-probabilities [B, T] (token_logprobs, logprobs,
 * log_probs) with token ids and/or a mask. Undefined when the file holds neither, unless the
 * task was asked for; throws an Error saying what is missing once named logits are there.
 */
export function languageModelRoles(file: TensorFile, options: RoleOptions, asked: boolean): Found | undefined {
  if ((options.predictions?.length ?? 0) > 1) {
    if (asked) throw new Error("name one prediction tensor: a language model's logits [B, T, V] or per-token log-probabilities [B, T]");
    return undefined;
  }
  const reasons: string[] = [];
  const askedPredictions = options.predictions?.length ? named(file, options.predictions[0]!) : undefined;
  if (askedPredictions && !isScoreGrid(askedPredictions) && askedPredictions.shape.length !== 2) {
    if (asked)
      throw new Error(
        `predictions ${quoteName(askedPredictions.name)} ${shapeOf(askedPredictions)} are neither logits [B, T, V] nor per-token log-probabilities [B, T]`,
      );
    return undefined;
  }
  let logits: Tensor | undefined;
  if (askedPredictions) {
    if (isScoreGrid(askedPredictions)) {
      logits = askedPredictions;
      reasons.push(`logits ${quoteName(logits.name)} ${shapeOf(logits)} as asked`);
    }
  } else {
    const grids = file.tensors.filter((t) => isScoreGrid(t) && isFloat(t));
    logits = grids.find((t) => isLanguageModelPredictionName(t.name));
    if (logits) reasons.push(`logits ${quoteName(logits.name)} ${shapeOf(logits)} by their name`);
    else if (grids.length === 1) {
      logits = grids[0]!;
      reasons.push(`logits ${quoteName(logits.name)} ${shapeOf(logits)} as the only [B, T, V] float tensor`);
    } else if (grids.length > 1 && asked)
      throw new Error(`${grids.length} tensors of shape [B, T, V]: name the logits with predictions (tensors: ${listed(file)})`);
  }
  if (logits) {
    const { target, mask } = targetsAndMask(file, logits, options, reasons, false);
    if (!target) {
      // An unnamed 3-D tensor beside no token ids is not a language model's (hidden states, say).
      if (!asked && !askedPredictions && !isLanguageModelPredictionName(logits.name)) return undefined;
      throw new Error(
        `no tensor of shape [${logits.shape[0]}, ${logits.shape[1]}] to read as the token ids ${quoteName(logits.name)} ${shapeOf(logits)} scores (name it labels or input_ids; tensors: ${listed(file)})`,
      );
    }
    const alignment =
      options.shift === undefined
        ? defaultAlignment(target.name)
        : options.shift
          ? { shift: true, reason: 'Shifted as asked: logits at position t score the token at t + 1, as a Hugging Face causal LM\u2019s loss does.' }
          : { shift: false, reason: 'Not shifted, as asked: logits at position t score the token at t, as F.cross_entropy does.' };
    return {
      task: 'lm',
      predictions: logits.name,
      predictionKind: 'logits',
      target: target.name,
      ...(mask ? { mask: mask.name } : {}),
      shape: { batch: logits.shape[0]!, length: logits.shape[1]!, vocabulary: logits.shape[2]! },
      shift: alignment.shift,
      shiftReason: alignment.reason,
      reason: `language model: ${reasons.join('; ')}`,
      tensors: [logits, target, ...(mask ? [mask] : [])],
    };
  }
  const logProbabilities =
    askedPredictions ?? file.tensors.find((t) => t.shape.length === 2 && t.shape[0]! > 0 && t.shape[1]! > 0 && isFloat(t) && isTokenLogProbabilityName(t.name));
  if (!logProbabilities) {
    if (asked) throw new Error(`no language model's logits [B, T, V] or per-token log-probabilities [B, T] (tensors: ${listed(file)})`);
    return undefined;
  }
  reasons.push(
    `per-token log-probabilities ${quoteName(logProbabilities.name)} ${shapeOf(logProbabilities)} ${askedPredictions ? 'as asked' : 'by their name'}`,
  );
  let found: ReturnType<typeof targetsAndMask>;
  try {
    found = targetsAndMask(file, logProbabilities, options, reasons, true);
  } catch (error) {
    // Not asked for: a classifier's [n, K] log-probabilities with the labels named is not a mismatch.
    if (asked) throw error;
    return undefined;
  }
  const { target, mask } = found;
  if (!target && !mask && !asked) return undefined;
  if (options.shift === true)
    throw new Error(`per-token log-probabilities are of the token at their own position: shift does not apply to ${quoteName(logProbabilities.name)}`);
  return {
    task: 'lm',
    predictions: logProbabilities.name,
    predictionKind: 'token-logprobs',
    ...(target ? { target: target.name } : {}),
    ...(mask ? { mask: mask.name } : {}),
    shape: { batch: logProbabilities.shape[0]!, length: logProbabilities.shape[1]! },
    shift: false,
    shiftReason: 'Per-token log-probabilities: the value at position t is log p of the token at t.',
    reason: `language model: ${reasons.join('; ')}`,
    tensors: [logProbabilities, ...(target ? [target] : []), ...(mask ? [mask] : [])],
  };
}
