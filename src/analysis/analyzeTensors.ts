import { DataFileError } from '../readers/errors';
import type { TensorFile } from '../readers/tensor';
import { analyzeCategorical, inMemoryBatches } from './analyzeCategorical';
import { chooseTensorRoles } from './tensorRoles';
import type { Analysis, AnalysisOptions } from './types';

/** Runs the categorical cross-entropy analysis of the tensors of one file (or of a paired predictions/labels file). */
export async function analyzeTensors(file: TensorFile, fileName: string, options: AnalysisOptions = {}, note?: string): Promise<Analysis> {
  let roles;
  try {
    roles = chooseTensorRoles(file, options);
  } catch (error) {
    throw new DataFileError(fileName, '', (error as Error).message);
  }
  const { prediction, target } = roles;
  const values = prediction.data instanceof Float64Array || prediction.data instanceof Float32Array ? prediction.data : Float64Array.from(prediction.data);
  const scores = { n: prediction.shape[0]!, k: prediction.shape[1]!, values };
  return analyzeCategorical(
    {
      fileName,
      format: file.format,
      k: scores.k,
      batches: inMemoryBatches(target.data, scores),
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
