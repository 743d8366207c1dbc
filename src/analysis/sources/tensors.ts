import { quoteName } from '../../readers/errors';
import type { RowMatrix } from '../../engine/reduction';
import type { CrossEntropyOptions } from '../../engine/crossEntropyLoss';
import { typedValues } from '../../engine/rowScores';
import { isStored, leadingElements } from '../../readers/storedElements';
import type { NumericArray, StoredElements, Tensor, TensorFile } from '../../readers/tensor';
import { chooseRoles } from '../../roles/chooseRoles';
import { isClassifierRoles, isLanguageModelRoles } from '../../roles/chosenRoles';
import type { TensorRoles } from '../../roles/tensorRoles';
import type { Analysis, AnalysisOptions, ClassificationAnalysis } from '../results';
import { rowBatches } from '../rows/rowBatch';
import { PARALLEL_MIN_VALUES, PREVIEW_ROWS, KIND_SAMPLE_ROWS } from '../sizes';
import { analyzeRowTask } from '../tasks/analyzeRowTask';
import { analyzeCategorical, inMemoryBatches } from '../tasks/categorical/analyze';
import { analyzeLanguageModel } from '../tasks/lm/analyze';
import { tensorBlocks } from '../threads/parallelBlocks';
import { findTokenizer, languageModelTensors } from './languageModelFile';
import type { StreamOptions } from './streamOptions';

/** A tensor as n rows of k values: [n] is k = 1, [n, k] is itself. */
function asRows(tensor: Tensor): RowMatrix {
  return { n: tensor.shape[0]!, k: tensor.shape[1] ?? 1, values: tensor.data };
}

/**
 * Any task's analysis of the tensors of one file (or of a paired predictions/labels file): the
 * task asked for or detected from its tensors. `path`: where the file is, for a language
 * model's tokenizer.json beside it.
 */
export async function analyzeTensors(
  file: TensorFile,
  fileName: string,
  options: AnalysisOptions = {},
  note?: string,
  stream: StreamOptions = {},
  path?: string,
): Promise<Analysis> {
  const roles = chooseRoles({ kind: 'tensors', file }, fileName, options);
  const reason = note ? `${roles.reason}; ${note}` : roles.reason;
  if (isClassifierRoles(roles)) return analyzeClassifierTensors(file, fileName, roles, reason, options, stream);
  if (isLanguageModelRoles(roles)) {
    // Log-probabilities given with a mask alone have no token ids to decode.
    const { tokenizer, warning } = roles.target !== undefined ? await findTokenizer(path, options) : {};
    const tensors = languageModelTensors(fileName, roles, options);
    const { pool, ...progress } = stream;
    // Threads only for logits worth them: a small file is scored before they would boot.
    const threaded = pool !== undefined && tensors.batch * tensors.length * tensors.vocabulary >= PARALLEL_MIN_VALUES;
    return analyzeLanguageModel(
      {
        tensors,
        format: file.format,
        roles: { ...roles, reason },
        choices: file.tensors.map((tensor) => tensor.name),
        readerWarnings: file.warnings,
        ...(tokenizer ? { tokenizer } : {}),
        ...(warning ? { tokenizerWarning: warning } : {}),
      },
      options,
      threaded ? { ...progress, pool } : progress,
    );
  }
  const [first] = roles.tensors;
  return analyzeRowTask(
    {
      fileName,
      format: file.format,
      roles: { ...roles, reason },
      batches: rowBatches(roles.tensors.map(asRows)),
      choices: file.tensors.map((tensor) => tensor.name),
      rowName: (row) => `tensor ${quoteName(first!.name)} row ${row}`,
      readerWarnings: file.warnings,
    },
    options,
  );
}

/** Tensor values as the scoring threads read them: floats, in their file or in memory. */
function typedRows(values: NumericArray | StoredElements): Float32Array | Float64Array | StoredElements {
  return isStored(values) ? values : typedValues(values);
}

/** The categorical (or binary) cross-entropy analysis of a label tensor and a score tensor. */
async function analyzeClassifierTensors(
  file: TensorFile,
  fileName: string,
  roles: TensorRoles,
  reason: string,
  options: AnalysisOptions,
  stream: StreamOptions,
): Promise<ClassificationAnalysis> {
  const [target, prediction] = roles.tensors as [Tensor, Tensor];
  const n = prediction.shape[0]!;
  const k = prediction.shape[1] ?? 1;
  const { pool, onProgress, signal } = stream;
  // With threads, this thread only reads the rows that decide the prediction kind, and the
  // threads read (from the file, when the tensors were left there) and score every row.
  const parallel = pool !== undefined && k > 1 && n * k >= PARALLEL_MIN_VALUES;
  const head = parallel ? Math.min(n, KIND_SAMPLE_ROWS) : n;
  const headValues = typedValues(leadingElements(prediction, head * k));
  const batches = inMemoryBatches(leadingElements(target, head), { n: head, k, values: headValues });
  // The threads start on the kind the first rows suggest while the leading rows decide it.
  const previewRows = Math.min(head, PREVIEW_ROWS);
  const preview = { n: previewRows, k, values: headValues.subarray(0, previewRows * k) };
  const progress = { ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) };
  const rows = (tensor: Tensor) => tensor.stored ?? tensor.data;
  return analyzeCategorical(
    {
      fileName,
      format: file.format,
      k,
      batches,
      ...(parallel
        ? {
            reducedRows: (crossEntropy: CrossEntropyOptions) => tensorBlocks(rows(target), typedRows(rows(prediction)), k, 0, crossEntropy, pool, progress),
            preview,
          }
        : {}),
      targetName: target.name,
      predictionNames: [prediction.name],
      choices: file.tensors.map((tensor) => tensor.name),
      rolesReason: reason,
      rowName: (row) => `tensor ${quoteName(prediction.name)} row ${row}`,
      readerWarnings: file.warnings,
    },
    options,
  );
}
