/** Tensors as every tensor reader (.npy, .npz, .safetensors, .pt) returns them. */

export type TensorDType =
  | 'bool'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float16'
  | 'bfloat16'
  | 'float32'
  | 'float64'
  | 'float8_e4m3fn'
  | 'float8_e5m2';

/**
 * Element values in C (row-major) order, in the narrowest JavaScript array that holds them
 * exactly: float16/bfloat16/float8 widen to Float32Array, int64/uint64 to Float64Array
 * (exact up to 2^53; larger magnitudes are flagged in the file's warnings), bool to Uint8Array.
 */
export type NumericArray = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

export interface Tensor {
  /** Name inside the file: the .npz member without ".npy", the safetensors key, the dotted path in a .pt pickle ("model.fc.weight", "outputs.0"). A lone .npy is named after the file. */
  readonly name: string;
  /** The dtype as stored in the file. */
  readonly dtype: TensorDType;
  readonly shape: readonly number[];
  readonly data: NumericArray;
  /**
   * Set when the reader was asked to leave a big tensor in its file (TensorReadOptions): where
   * its elements lie, so that ranges of rows can be read without the whole. `data` then reads
   * the file on first use.
   */
  readonly stored?: StoredElements;
}

/** A tensor's elements as they lie in a file on disk: contiguous, in C order, in the file's dtype and byte order. */
export interface StoredElements {
  readonly path: string;
  /** Byte offset of element 0 in the file. */
  readonly offset: number;
  readonly dtype: TensorDType;
  readonly littleEndian: boolean;
  readonly count: number;
}

/** What a tensor reader is asked beyond its limits. */
export interface TensorReadOptions {
  /**
   * Tensors of at least this many bytes whose elements lie contiguous in the file (not inside a
   * deflated member, not a strided view) are left there: see Tensor.stored.
   */
  readonly leaveInFileFrom?: number;
}

export interface TensorFile {
  readonly format: 'npy' | 'npz' | 'safetensors' | 'pt';
  readonly tensors: readonly Tensor[];
  /** Free-form metadata the format carries (safetensors' __metadata__, ...). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Things the user should know that did not stop the read (int64 beyond 2^53, ...). */
  readonly warnings: readonly string[];
}

export const elementCount = (shape: readonly number[]): number => shape.reduce((product, size) => product * size, 1);
