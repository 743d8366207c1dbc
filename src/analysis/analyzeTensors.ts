import { DataFileError } from '../readers/errors';
import type { TensorFile } from '../readers/tensor';
import { analyzeCategorical } from './analyzeCategorical';
import { chooseTensorRoles } from './tensorRoles';
import type { Analysis, AnalysisOptions } from './types';

/** Runs the categorical cross-entropy analysis of the tensors of one file (or of a paired predictions/labels file). */
export function analyzeTensors(file: TensorFile, fileName: string, options: AnalysisOptions = {}): Analysis {
  let roles;
  try {
    roles = chooseTensorRoles(file, options);
  } catch (error) {
    throw new DataFileError(fileName, '', (error as Error).message);
  }
  const { prediction, target } = roles;
  const values = prediction.data instanceof Float64Array || prediction.data instanceof Float32Array ? prediction.data : Float64Array.from(prediction.data);
  return analyzeCategorical(
    {
      fileName,
      format: file.format,
      labels: target.data,
      scores: { n: prediction.shape[0]!, k: prediction.shape[1]!, values },
      targetName: target.name,
      predictionNames: [prediction.name],
      choices: file.tensors.map((tensor) => tensor.name),
      rolesReason: roles.reason,
      describeRow: (row) => `tensor '${prediction.name}' row ${row}`,
    },
    options,
  );
}
