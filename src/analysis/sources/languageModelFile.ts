import { access } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DEFAULT_IGNORE_INDEX } from '../../engine/crossEntropyLoss';
import { DataFileError, describeError } from '../../readers/errors';
import type { Tensor } from '../../readers/tensor';
import { readTokenizerFile } from '../../readers/tokenizer/tokenizerJson';
import type { LanguageModelRoles } from '../../roles/chosenRoles';
import type { AnalysisOptions } from '../results';
import type { LoadedTokenizer } from '../tasks/lm/analyze';
import type { LanguageModelTensors } from '../tasks/lm/tokenRows';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** The tensors a language model's roles name, and the alignment they chose. */
export function languageModelTensors(
  fileName: string,
  roles: LanguageModelRoles & { readonly tensors: readonly Tensor[] },
  options: AnalysisOptions,
): LanguageModelTensors {
  const find = (name: string | undefined) => (name === undefined ? undefined : roles.tensors.find((tensor) => tensor.name === name));
  return {
    fileName,
    kind: roles.predictionKind,
    predictions: find(roles.predictions)!,
    targets: find(roles.target),
    mask: find(roles.mask),
    batch: roles.shape.batch,
    length: roles.shape.length,
    vocabulary: roles.shape.vocabulary ?? 1,
    shift: roles.shift,
    ignoreIndex: options.ignoreIndex ?? DEFAULT_IGNORE_INDEX,
  };
}

/**
 * The tokenizer that decodes a language model's token ids: the one asked for (an error naming
 * it when it cannot be read), else a tokenizer.json in the data file's folder (a warning, not an
 * error, when that one cannot be read).
 */
export async function findTokenizer(
  dataPath: string | undefined,
  options: AnalysisOptions,
): Promise<{ readonly tokenizer?: LoadedTokenizer; readonly warning?: string }> {
  if (options.tokenizer !== undefined) {
    const path = resolve(options.tokenizer);
    try {
      return { tokenizer: { definition: await readTokenizerFile(path), path } };
    } catch (error) {
      if (error instanceof DataFileError) throw error;
      throw new DataFileError(basename(path), '', `the tokenizer cannot be read: ${describeError(error)}`);
    }
  }
  if (dataPath === undefined) return {};
  const beside = join(dirname(resolve(dataPath)), 'tokenizer.json');
  if (!(await exists(beside))) return {};
  try {
    return { tokenizer: { definition: await readTokenizerFile(beside), path: beside } };
  } catch (error) {
    return { warning: `The tokenizer.json beside the file was not used: ${describeError(error)}` };
  }
}
