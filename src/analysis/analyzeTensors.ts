import { DataFileError } from '../readers/errors';
import type { TensorFile } from '../readers/tensor';
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

/** Runs the categorical cross-entropy analysis of the tensors of one file (or of a paired predictions/labels file). */
export async function analyzeTensors(file: TensorFile, fileName: string, options: AnalysisOptions = {}, note?: string, stream: StreamOptions = {}): Promise<ClassificationAnalysis> {
  let roles;
  try {
    roles = chooseTensorRoles(file, options);
  } catch (error) {
    throw new DataFileError(fileName, '', (error as Error).message);
  }
  const { prediction, target } = roles;
  const values = prediction.data instanceof Float64Array || prediction.data instanceof Float32Array ? prediction.data : Float64Array.from(prediction.data);
  const scores = { n: prediction.shape[0]!, k: prediction.shape[1]!, values };
  const { pool, onProgress, signal } = stream;
  // With threads, this thread only looks at the rows that decide the prediction kind, and the threads score every row.
  const head = Math.min(scores.n, KIND_SAMPLE_ROWS);
  const parallel = pool !== undefined && scores.k > 1 && scores.n * scores.k >= PARALLEL_MIN_VALUES;
  const batches = parallel ? inMemoryBatches(target.data, { ...scores, n: head, values: values.subarray(0, head * scores.k) }) : inMemoryBatches(target.data, scores);
  const progress = { ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) };
  return analyzeCategorical(
    {
      fileName,
      format: file.format,
      k: scores.k,
      batches,
      ...(parallel ? { reducedRows: (crossEntropy: CrossEntropyOptions) => tensorBlocks(target.data, values, scores.k, 0, crossEntropy, pool, progress) } : {}),
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
