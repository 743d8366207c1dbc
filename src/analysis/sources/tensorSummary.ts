import { CompensatedSum } from '../../engine/compensatedSum';
import type { Tensor, TensorDType, TensorFile } from '../../readers/tensor';

/** What the tensor editor lists for each tensor. */
export interface TensorSummary {
  readonly name: string;
  readonly dtype: TensorDType;
  readonly shape: readonly number[];
  readonly count: number;
  /** Over finite values; undefined when there are none. */
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly mean: number | undefined;
  readonly nanCount: number;
  readonly infCount: number;
  /** The first values in C order. */
  readonly preview: readonly (number | string)[];
}

export interface TensorFileSummary {
  readonly fileName: string;
  readonly format: TensorFile['format'];
  readonly tensors: readonly TensorSummary[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
}

const PREVIEW = 12;

/** Non-finite numbers do not survive JSON; name them. */
const previewValue = (value: number): number | string => (Number.isFinite(value) ? value : Number.isNaN(value) ? 'NaN' : value > 0 ? 'inf' : '-inf');

export function summarizeTensor(tensor: Tensor): TensorSummary {
  const { data } = tensor;
  let min = Infinity;
  let max = -Infinity;
  let nanCount = 0;
  let infCount = 0;
  let finite = 0;
  const sum = new CompensatedSum();
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (Number.isNaN(v)) nanCount++;
    else if (!Number.isFinite(v)) infCount++;
    else {
      finite++;
      sum.add(v);
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return {
    name: tensor.name,
    dtype: tensor.dtype,
    shape: tensor.shape,
    count: data.length,
    min: finite > 0 ? min : undefined,
    max: finite > 0 ? max : undefined,
    mean: finite > 0 ? sum.value / finite : undefined,
    nanCount,
    infCount,
    preview: Array.from(data.subarray(0, PREVIEW), previewValue),
  };
}

export function summarizeTensorFile(file: TensorFile, fileName: string): TensorFileSummary {
  return { fileName, format: file.format, tensors: file.tensors.map(summarizeTensor), metadata: file.metadata, warnings: file.warnings };
}
