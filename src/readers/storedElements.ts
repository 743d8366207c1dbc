import { closeSync, fstatSync, openSync } from 'node:fs';
import { basename } from 'node:path';
import { readFileRange } from './byteSource';
import { allocate, decodeInto, isHostOrderedHalf, ITEMSIZE, storedAsIs } from './dtypes';
import { DataFileError, foreignReason, quoteName, ShortReadError } from './errors';
import type { NumericArray, StoredElements, Tensor, TensorDType, TensorReadOptions } from './tensor';

/**
 * Tensors left in their file: a big classifier's logits are read a block of rows at a time by
 * the threads that score them, so no thread holds the whole tensor and no time goes to reading
 * it all before the first row is scored.
 */

/** Whether elements are a tensor's place in its file rather than an array in memory. */
export function isStored(elements: NumericArray | StoredElements): elements is StoredElements {
  return 'path' in elements;
}

/** Whether the options ask for a tensor of `bytes` bytes to stay in its file, if it lies there as it is. */
export function wantedInFile(options: TensorReadOptions, bytes: number): boolean {
  return options.leaveInFileFrom !== undefined && bytes >= options.leaveInFileFrom;
}

/** Where in its file a tensor of `bytes` bytes at `offset` of `source` stays, when the options ask for it and the bytes are on disk. */
export function leaveInFile(
  options: TensorReadOptions,
  bytes: number,
  source: { readonly onDisk?: { readonly path: string; readonly offset: number } },
  offset: number,
): { path: string; offset: number } | undefined {
  if (!wantedInFile(options, bytes) || !source.onDisk) return undefined;
  return { path: source.onDisk.path, offset: source.onDisk.offset + offset };
}

/**
 * A tensor whose elements stay in the file: `data` reads and decodes them all on first use (a
 * DataFileError naming the tensor if the file no longer holds them), and `stored` lets a caller
 * read only the rows it needs.
 */
export function tensorLeftInFile(name: string, dtype: TensorDType, shape: readonly number[], stored: StoredElements): Tensor {
  let data: NumericArray | undefined;
  return {
    name,
    dtype,
    shape,
    stored,
    get data(): NumericArray {
      data ??= readStoredElementsOf(name, stored, 0, stored.count);
      return data;
    },
  };
}

/** The tensor under another name, still in its file if it was. */
export function renamedTensor(tensor: Tensor, name: string): Tensor {
  return tensor.stored ? tensorLeftInFile(name, tensor.dtype, tensor.shape, tensor.stored) : { ...tensor, name };
}

/** The first `count` elements of a tensor (fewer if it has fewer), reading only those when it is still in its file. */
export function leadingElements(tensor: Tensor, count: number): NumericArray {
  if (!tensor.stored) return tensor.data.subarray(0, count);
  return readStoredElementsOf(tensor.name, tensor.stored, 0, Math.min(count, tensor.stored.count));
}

/** The file no longer holds the bytes its header promised: it was cut short, or replaced, after it was read. */
export class FileChangedError extends ShortReadError {
  override readonly name = 'FileChangedError';

  constructor(detail: string) {
    super(`the file changed since its header was read: ${detail}`);
  }
}

/** readStoredElements, failing with a one-line DataFileError that names the file and the tensor. */
export function readStoredElementsOf(
  tensorName: string,
  stored: StoredElements,
  first: number,
  count: number,
  into?: NumericArray,
  scratch?: (bytes: number) => Uint8Array,
): NumericArray {
  return namingTensor(tensorName, stored, () => readStoredElements(stored, first, count, into, scratch));
}

/** readStoredHalves, failing with a one-line DataFileError that names the file and the tensor. */
export function readStoredHalvesOf(
  tensorName: string,
  stored: StoredElements,
  first: number,
  count: number,
  scratch?: (bytes: number) => Uint8Array,
): ReturnType<typeof readStoredHalves> {
  return namingTensor(tensorName, stored, () => readStoredHalves(stored, first, count, scratch));
}

/** What `read` returns, or its failure as a one-line DataFileError naming the file and the tensor. */
function namingTensor<T>(tensorName: string, stored: StoredElements, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new DataFileError(basename(stored.path), `tensor ${quoteName(tensorName)}`, foreignReason(error));
  }
}

/**
 * Elements [first, first + count) decoded as the readers decode them (into allocate's array
 * type), in `into` when it is that type and long enough. Synchronous: it runs on analysis and
 * scoring threads, never on the extension host's own thread. Throws a FileChangedError when the
 * file has become too short, and whatever the system throws otherwise (no memory, no file handle).
 */
export function readStoredElements(
  stored: StoredElements,
  first: number,
  count: number,
  into?: NumericArray,
  scratch?: (bytes: number) => Uint8Array,
): NumericArray {
  if (first < 0 || count < 0 || first + count > stored.count) throw new ShortReadError(`elements ${first}..${first + count} of ${stored.count}`);
  const size = ITEMSIZE[stored.dtype];
  const out =
    into && into.length >= count && into.constructor === allocate(stored.dtype, 0).constructor ? into.subarray(0, count) : allocate(stored.dtype, count);
  const direct = storedAsIs(stored.dtype, stored.littleEndian, out, 0, count);
  const bytes = direct ?? (scratch ? scratch(count * size) : new Uint8Array(count * size));
  readFully(stored.path, stored.offset + first * size, bytes);
  if (!direct) decodeInto(stored.dtype, bytes, stored.littleEndian, count, out, 0);
  return out;
}

/**
 * Elements [first, first + count) of a bfloat16 or float16 tensor in the host's byte order as
 * their raw 16-bit patterns, undecoded (in `scratch`'s bytes when given); undefined for any
 * other dtype or byte order. Throws as readStoredElements.
 */
export function readStoredHalves(
  stored: StoredElements,
  first: number,
  count: number,
  scratch?: (bytes: number) => Uint8Array,
): { readonly halves: Uint16Array; readonly dtype: 'bfloat16' | 'float16' } | undefined {
  const { dtype } = stored;
  if (!isHostOrderedHalf(dtype, stored.littleEndian)) return undefined;
  if (first < 0 || count < 0 || first + count > stored.count) throw new ShortReadError(`elements ${first}..${first + count} of ${stored.count}`);
  let bytes = scratch ? scratch(2 * count) : new Uint8Array(2 * count);
  // A Uint16Array view needs an even byte offset.
  if (bytes.byteOffset % 2 !== 0) bytes = new Uint8Array(2 * count);
  readFully(stored.path, stored.offset + 2 * first, bytes);
  return { halves: new Uint16Array(bytes.buffer, bytes.byteOffset, count), dtype };
}

function readFully(path: string, position: number, target: Uint8Array): void {
  const fd = openSync(path, 'r');
  try {
    if (readFileRange(fd, position, target).length < target.length)
      throw new FileChangedError(`it is now ${fstatSync(fd).size} bytes, short of the ${target.length} bytes at byte ${position}`);
  } finally {
    closeSync(fd);
  }
}
