import { access, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { DEFAULT_LIMITS, type ReadLimits } from '../../readers/limits';
import { readTensorFile } from '../../readers/readTensorFile';
import { renamedTensor } from '../../readers/storedElements';
import type { Tensor, TensorFile, TensorReadOptions } from '../../readers/tensor';
import { hasClassifierPair, hasLanguageModelRoles } from '../../roles/tensorRoles';
import { isClassifierTask } from '../../roles/vocabulary';
import type { Analysis, AnalysisOptions } from '../results';
import { PARALLEL_MIN_BYTES } from '../sizes';
import type { StreamOptions } from './streamOptions';
import { analyzeTensors } from './tensors';
import { withFileLayout } from './fileLayout';

const LABEL_FILES = ['labels', 'label', 'targets', 'target', 'y', 'y_true', 'gt', 'label_ids', 'input_ids'];
const PREDICTION_FILES = ['logits', 'probs', 'probabilities', 'log_probs', 'logprobs', 'scores', 'preds', 'predictions', 'outputs', 'y_pred'];

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * The file beside a lone .npy that holds what it lacks: labels.npy for logits.npy, or the
 * predictions for labels.npy. NumPy users often save the two arrays separately.
 */
export async function findPartnerFile(path: string): Promise<string | undefined> {
  if (extname(path).toLowerCase() !== '.npy') return undefined;
  const stem = basename(path, extname(path)).toLowerCase();
  const candidates = LABEL_FILES.includes(stem) ? PREDICTION_FILES : LABEL_FILES;
  for (const name of candidates) {
    const candidate = join(dirname(path), `${name}${extname(path)}`);
    if (candidate !== path && (await exists(candidate))) return candidate;
  }
  return undefined;
}

function merge(first: TensorFile, second: TensorFile): TensorFile {
  const taken = new Set(first.tensors.map((tensor) => tensor.name));
  const renamed: Tensor[] = second.tensors.map((tensor) => (taken.has(tensor.name) ? renamedTensor(tensor, `${tensor.name} (2)`) : tensor));
  return {
    format: first.format,
    tensors: [...first.tensors, ...renamed],
    metadata: { ...second.metadata, ...first.metadata },
    warnings: [...first.warnings, ...second.warnings],
  };
}

/**
 * Reads a tensor file and, for a lone .npy that lacks what its task needs, its partner file
 * (`pairWith`, else the one beside it). Tensors of at least `read.leaveInFileFrom` bytes stay
 * in their file.
 */
export async function readWithPartner(
  path: string,
  options: AnalysisOptions,
  pairWith: string | undefined,
  limits: ReadLimits,
  read: TensorReadOptions,
): Promise<{ file: TensorFile; note: string | undefined; partner: string | undefined }> {
  let file = await readTensorFile(path, limits, read);
  // A lone logits.npy (or labels.npy) is half of a classifier's or a language model's file: its partner lies beside it.
  const mayPair = !options.task || isClassifierTask(options.task) || options.task === 'lm';
  const partner = pairWith ?? (mayPair && !hasClassifierPair(file, options) && !hasLanguageModelRoles(file, options) ? await findPartnerFile(path) : undefined);
  if (partner !== undefined) file = merge(file, await readTensorFile(partner, limits, read));
  return { file, note: partner !== undefined ? `paired with ${basename(partner)}` : undefined, partner };
}

/** Reads a tensor file (and, for a lone .npy, its partner file) and analyses it. */
export async function analyzeTensorFile(
  path: string,
  options: AnalysisOptions = {},
  pairWith?: string,
  limits: ReadLimits = DEFAULT_LIMITS,
  stream: StreamOptions = {},
): Promise<Analysis> {
  const name = basename(path);
  // A big file that may be a classifier's or a language model's: its threads boot while the
  // headers are read, and read its big tensors (logits) themselves.
  const mayClassify = !options.task || isClassifierTask(options.task);
  const mayBeLanguageModel = !options.task || options.task === 'lm';
  const big = (await stat(path)).size > PARALLEL_MIN_BYTES;
  const threaded = stream.pool !== undefined && big && ((mayClassify && !options.dist && !options.variance?.length) || mayBeLanguageModel);
  if (threaded) stream.pool!.start();
  // A language model's logits stay in their file with or without threads: its pass reads them a block of sequences at a time.
  const read = threaded || (mayBeLanguageModel && big) ? { leaveInFileFrom: PARALLEL_MIN_BYTES } : {};
  const { file, note, partner } = await readWithPartner(path, options, pairWith, limits, read);
  const analysis = await analyzeTensors(file, name, options, note, stream, path);
  // As Python on any system reads it from the file's folder.
  return partner === undefined
    ? analysis
    : withFileLayout(analysis, {
        partner: relative(dirname(resolve(path)), resolve(partner))
          .split(sep)
          .join('/'),
      });
}
