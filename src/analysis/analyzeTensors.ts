import { DataFileError } from '../readers/errors';
import { isStored, leadingElements } from '../readers/storedElements';
import type { NumericArray, StoredElements, Tensor, TensorFile } from '../readers/tensor';
import { typedValues } from '../engine/rowScores';
import type { CrossEntropyOptions } from '../engine/crossEntropyLoss';
import { analyzeCategorical, inMemoryBatches } from './analyzeCategorical';
import type { StreamOptions } from './analyzeCsvFile';
import { KIND_SAMPLE_ROWS } from './categoricalPass';
import { tensorBlocks } from './parallelBlocks';
import { chooseTensorRoles } from './tensorRoles';
import { analyzeTask } from './analyzeTask';
import { rowBatches } from './rowBatch';
import { chooseTensorTaskRoles, tensorTask } from './tensorTaskRoles';
import type { Analysis, AnalysisOptions, ClassificationAnalysis } from './types';

/** Rows the threads' first guess of the prediction kind looks at. */
const PREVIEW_ROWS = 1_024;

/** Below this many values, starting threads costs more than it saves. */
const PARALLEL_MIN_VALUES = 1 << 20;

/** Any task's analysis of the tensors of one file: a classifier's unless the options name another task. */
export async function analyzeTensorsTask(file: TensorFile, fileName: string, options: AnalysisOptions = {}, note?: string, stream: StreamOptions = {}): Promise<Analysis> {
  const task = tensorTask(options);
  if (!task) return analyzeTensors(file, fileName, options, note, stream);
  let chosen;
  try {
    chosen = chooseTensorTaskRoles(file, task, options);
  } catch (error) {
    throw new DataFileError(fileName, '', (error as Error).message);
  }
  const { roles, blocks } = chosen;
  return analyzeTask(
    {
      fileName,
      format: file.format,
      roles: note ? { ...roles, reason: `${roles.reason}; ${note}` } : roles,
      batches: rowBatches(blocks),
      choices: file.tensors.map((tensor) => tensor.name),
      rowName: (row) => `tensor '${roles.targets[0]!.replace(/\[.*$/, '')}' row ${row}`,
      readerWarnings: file.warnings,
    },
    options,
  );
}

/** Tensor values as the scoring threads read them: floats, in their file or in memory. */
function typedRows(values: NumericArray | StoredElements): Float32Array | Float64Array | StoredElements {
  return isStored(values) ? values : typedValues(values);
}

/** Runs the categorical cross-entropy analysis of the tensors of one file (or of a paired predictions/labels file). */
export async function analyzeTensors(file: TensorFile, fileName: string, options: AnalysisOptions = {}, note?: string, stream: StreamOptions = {}): Promise<ClassificationAnalysis> {
  let roles;
  try {
    roles = chooseTensorRoles(file, options);
  } catch (error) {
    throw new DataFileError(fileName, '', (error as Error).message);
  }
  const { prediction, target } = roles;
  const n = prediction.shape[0]!;
  const k = prediction.shape[1]!;
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
      ...(parallel ? { reducedRows: (crossEntropy: CrossEntropyOptions) => tensorBlocks(rows(target), typedRows(rows(prediction)), k, 0, crossEntropy, pool, progress), preview } : {}),
      targetName: target.name,
      predictionNames: [prediction.name],
      choices: file.tensors.map((tensor) => tensor.name),
      rolesReason: note ? `${roles.reason}; ${note}` : roles.reason,
      rowName: (row) => `tensor '${prediction.name}' row ${row}`,
      readerWarnings: file.warnings,
    },
    options,
  );
}
