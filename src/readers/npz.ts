/**
 * NumPy .npz archives: a zip of .npy members, stored (np.savez) or deflated
 * (np.savez_compressed). Member `X.npy` becomes tensor `X`, folders kept ("a/b.npy" is "a/b").
 */
import type { ByteSource } from './byteSource';
import { DataFileError, readingAt, quoteName } from './errors';
import { DEFAULT_LIMITS, raiseWith, type ReadLimits } from './limits';
import { readNpyRange } from './npy';
import type { Tensor, TensorFile, TensorReadOptions } from './tensor';
import { openZip } from './zip';

export async function readNpz(source: ByteSource, limits: ReadLimits = DEFAULT_LIMITS, options: TensorReadOptions = {}): Promise<TensorFile> {
  return readingAt(source.name, (at) => read(source, limits, options, at));
}

async function read(source: ByteSource, limits: ReadLimits, options: TensorReadOptions, at: (where: string) => void): Promise<TensorFile> {
  const file = source.name;
  if (source.size >= 6) {
    const head = await source.read(0, 6);
    if (head[0] === 0x93 && String.fromCharCode(...head.subarray(1, 6)) === 'NUMPY')
      throw new DataFileError(file, 'byte 0', 'this is a .npy file, not an .npz archive');
  }
  const archive = await openZip(source, limits);
  const tensors: Tensor[] = [];
  const warnings: string[] = [];
  const names = new Set<string>();
  const budget = { remaining: limits.maxTensorBytes };
  for (const member of archive.members) {
    if (member.name.endsWith('/')) continue; // a folder entry
    if (!member.name.toLowerCase().endsWith('.npy')) {
      warnings.push(`member ${quoteName(member.name)} is not a .npy array; skipped`);
      continue;
    }
    const where = `member ${quoteName(member.name)}`;
    at(where);
    const content = await archive.open(member);
    const result = await readNpyRange(content.source, {
      ...options,
      name: member.name.slice(0, -4),
      limits,
      budget,
      // Stored members are located in the archive file; inflated ones within their content.
      place: (offset) =>
        content.fileOffset === undefined ? `${where}, byte ${offset} of its inflated content` : `${where}, byte ${content.fileOffset + offset}`,
    });
    for (const tensor of result.tensors) {
      if (names.has(tensor.name)) throw new DataFileError(file, where, `a second tensor named ${quoteName(tensor.name)}`);
      names.add(tensor.name);
      tensors.push(tensor);
    }
    if (tensors.length > limits.maxTensors) throw new DataFileError(file, where, `more than ${limits.maxTensors} tensors${raiseWith('maxTensors')}`);
    warnings.push(...result.warnings);
  }
  return { format: 'npz', tensors, metadata: {}, warnings };
}
