import { basename, extname } from 'node:path';
import { fileSource, type ByteSource } from './byteSource';
import { DataFileError } from './errors';
import { DEFAULT_LIMITS, type ReadLimits } from './limits';
import { readNpy } from './npy';
import { readNpz } from './npz';
import { readSafetensors } from './safetensors';
import type { TensorFile, TensorReadOptions } from './tensor';
import { readTorch } from './torch';

/** Reads the tensors of a byte source by its file extension. */
export function readTensorSource(
  source: ByteSource,
  extension: string,
  limits: ReadLimits = DEFAULT_LIMITS,
  options: TensorReadOptions = {},
): Promise<TensorFile> {
  switch (extension.toLowerCase()) {
    case '.npy':
      // A lone array is named after its file: logits.npy holds 'logits'.
      return readNpy(source, limits, basename(source.name, extname(source.name)), options);
    case '.npz':
      return readNpz(source, limits, options);
    case '.safetensors':
      return readSafetensors(source, limits, options);
    case '.pt':
    case '.pth':
      return readTorch(source, limits, options);
    default:
      throw new DataFileError(source.name, '', `not a tensor file type: '${extension}'`);
  }
}

/** Reads a tensor file from disk by byte ranges; only ever opens it for reading. */
export async function readTensorFile(path: string, limits: ReadLimits = DEFAULT_LIMITS, options: TensorReadOptions = {}): Promise<TensorFile> {
  const source = await fileSource(path, basename(path));
  try {
    return await readTensorSource(source, extname(path), limits, options);
  } finally {
    await source.close();
  }
}
