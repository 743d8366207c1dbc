/**
 * PyTorch .pt/.pth files in torch.save's zip format (PyTorch >= 1.6): `<prefix>/data.pkl` is a
 * pickle whose tensors name storages kept as members `<prefix>/data/<key>`. The pickle is walked
 * by the restricted reader in ./pickle (nothing in the file is ever run); each tensor is then
 * read from its storage by byte range, its offset, size and stride applied.
 */
import { readBytesInto, type ByteSource } from './byteSource';
import { DataFileError, foreignReason, quoteName } from './errors';
import { DEFAULT_LIMITS, raiseWith, type ReadLimits } from './limits';
import { PickleDict, PickleList, PickleSet, PickleTuple, TensorRef, unpickle, type PickleValue, type StorageRef } from './pickle';
import { allocate, decode, isStoredAsIs, ITEMSIZE, storedAsIs } from './dtypes';
import { openZip, type ZipMember } from './zip';
import { leaveInFile, tensorLeftInFile, wantedInFile } from './storedElements';
import { elementCount, type NumericArray, type Tensor, type TensorFile, type TensorReadOptions } from './tensor';

export const LEGACY_FORMAT_MESSAGE = 'legacy torch.save format; re-save with torch.save(obj, path) from PyTorch >= 1.6 (the zip format)';

/** Containers visited while naming tensors: shared sub-trees can make a small pickle name exponentially many paths. */
const MAX_VISITS = 1_000_000;

export async function readTorch(source: ByteSource, limits: ReadLimits = DEFAULT_LIMITS, options: TensorReadOptions = {}): Promise<TensorFile> {
  try {
    return await read(source, limits, options);
  } catch (error) {
    if (error instanceof DataFileError) throw error;
    // A short read, a failed allocation: still one line about this file.
    throw new DataFileError(source.name, '', foreignReason(error));
  }
}

async function read(source: ByteSource, limits: ReadLimits, options: TensorReadOptions): Promise<TensorFile> {
  const file = source.name;
  if (source.size < 4) throw new DataFileError(file, '', `${source.size} bytes is too short for a .pt file`);
  const head = await source.read(0, 4);
  if (head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5) throw new DataFileError(file, 'byte 0', LEGACY_FORMAT_MESSAGE);
  if (source.size >= 262 && isTar(await source.read(257, 5))) throw new DataFileError(file, 'byte 0', LEGACY_FORMAT_MESSAGE);
  if (!(head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04))
    throw new DataFileError(file, 'byte 0', 'not a torch.save file (no zip signature)');

  const archive = await openArchive(source, limits);
  const pickle = findPickle(archive, file);
  const prefix = pickle.name.slice(0, -'data.pkl'.length);
  const littleEndian = await byteOrder(archive, prefix, file);
  if (pickle.size > limits.maxHeaderBytes)
    throw new DataFileError(
      file,
      pickle.name,
      `the pickle is ${pickle.size} bytes, over the ${limits.maxHeaderBytes}-byte limit${raiseWith('maxHeaderBytes')}`,
    );

  const root = unpickle(await archive.read(pickle), {
    file,
    member: pickle.name,
    maxDepth: limits.maxPickleDepth,
    hasStorage: (key) => archive.members.has(`${prefix}data/${key}`),
  });

  const stem = file.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '') || 'tensor';
  const named = nameTensors(root, stem, file, pickle.name, limits);
  const storages = new Map<string, { readonly ref: StorageRef; readonly decoded: { readonly data: NumericArray; readonly inexact: boolean } }>();
  const views = new Map<TensorRef, NumericArray>();
  const storageTypes = new Map<string, StorageRef['dtype']>();
  const warnings: string[] = [];
  let storageBytes = 0;
  let outputBytes = 0;
  const tensors: Tensor[] = [];
  const names = new Set<string>();

  for (const { name, ref } of named) {
    const place = `tensor ${quoteName(name)}`;
    if (names.has(name)) warnings.push(`two tensors are named ${quoteName(name)}`);
    names.add(name);
    const { storage } = ref;
    const seen = storageTypes.get(storage.key);
    if (seen !== undefined && seen !== storage.dtype)
      throw new DataFileError(file, place, `storage ${quoteName(storage.key)} is read both as ${seen} and as ${storage.dtype}`);
    const member = archive.members.get(`${prefix}data/${storage.key}`)!;
    if (seen === undefined) {
      storageTypes.set(storage.key, storage.dtype);
      const bytes = storage.numel * ITEMSIZE[storage.dtype];
      if (bytes > member.size)
        throw new DataFileError(
          file,
          place,
          `storage ${quoteName(storage.key)} holds ${member.size} bytes, but ${storage.numel} ${storage.dtype} elements need ${bytes}`,
        );
      storageBytes += bytes;
      if (storageBytes > limits.maxTensorBytes)
        throw new DataFileError(file, place, `the tensors exceed the ${limits.maxTensorBytes}-byte limit${raiseWith('maxTensorBytes')}`);
    }
    let cached = storages.get(storage.key);
    const count = elementCount(ref.shape);
    // A contiguous view of a stored member can stay in the file, unless its storage is already read.
    const itemsize = ITEMSIZE[storage.dtype];
    const inFile =
      !cached && member.method === 0 && isContiguous(ref) && wantedInFile(options, count * itemsize)
        ? leaveInFile(options, count * itemsize, await archive.content(member), ref.offset * itemsize)
        : undefined;
    if (inFile) {
      tensors.push(tensorLeftInFile(name, storage.dtype, [...ref.shape], { ...inFile, dtype: storage.dtype, littleEndian, count }));
      continue;
    }
    if (!cached) {
      // Each storage is read once, however many tensors view it.
      // Floats and integers stored as they sit in memory are read straight into their array.
      let decodedData: NumericArray;
      let beyondSafeInteger = 0;
      if (isStoredAsIs(storage.dtype, littleEndian)) {
        decodedData = allocate(storage.dtype, storage.numel);
        await archive.readInto(member, 0, storedAsIs(storage.dtype, littleEndian, decodedData, 0, storage.numel)!);
      } else ({ data: decodedData, beyondSafeInteger } = decode(storage.dtype, await archive.read(member, 0, storage.numel * itemsize), littleEndian));
      cached = { ref: storage, decoded: { data: decodedData, inexact: beyondSafeInteger > 0 } };
      storages.set(storage.key, cached);
    }
    let data = views.get(ref);
    if (!data) {
      outputBytes += count * cached.decoded.data.BYTES_PER_ELEMENT;
      if (outputBytes > limits.maxTensorBytes)
        throw new DataFileError(file, place, `the tensors exceed the ${limits.maxTensorBytes}-byte limit${raiseWith('maxTensorBytes')}`);
      data = gather(cached.decoded.data, ref, count);
      views.set(ref, data);
    }
    if (cached.decoded.inexact && hasInexact(data))
      warnings.push(`tensor ${quoteName(name)}: ${storage.dtype} values of magnitude 2^53 or more may be rounded (read as float64)`);
    tensors.push({ name, dtype: storage.dtype, shape: [...ref.shape], data });
  }
  return { format: 'pt', tensors, metadata: {}, warnings };
}

/** The zip of torch.save, members by name, read by byte range through the shared zip reader. */
interface Archive {
  readonly members: ReadonlyMap<string, ZipMember>;
  read(member: ZipMember, offset?: number, length?: number): Promise<Uint8Array>;
  /** target.length bytes of the member from `offset`, straight into `target`. */
  readInto(member: ZipMember, offset: number, target: Uint8Array): Promise<void>;
  /** The member's bytes (inflated in memory when deflated). */
  content(member: ZipMember): Promise<ByteSource>;
}

async function openArchive(source: ByteSource, limits: ReadLimits): Promise<Archive> {
  // Besides one member per storage, torch.save writes data.pkl, version, byteorder and a few records.
  const zip = await openZip(source, limits, limits.maxTensors + 16);
  return {
    members: new Map(zip.members.map((member) => [member.name, member])),
    async read(member, offset = 0, length) {
      const { source: content } = await zip.open(member);
      return content.read(offset, length ?? content.size - offset);
    },
    async readInto(member, offset, target) {
      const { source: content } = await zip.open(member);
      await readBytesInto(content, offset, target);
    },
    async content(member) {
      return (await zip.open(member)).source;
    },
  };
}

function isTar(magic: Uint8Array): boolean {
  return String.fromCharCode(...magic) === 'ustar';
}

function findPickle(archive: Archive, file: string): ZipMember {
  // torch.save writes exactly one `<prefix>/data.pkl`, the prefix being the archive's name.
  const candidates = [...archive.members.values()].filter((member) => /^[^/]+\/data\.pkl$/.test(member.name));
  if (candidates.length === 0) throw new DataFileError(file, '', 'no <name>/data.pkl in the archive; not a torch.save file');
  if (candidates.length > 1) throw new DataFileError(file, '', `the archive holds ${candidates.length} data.pkl pickles; torch.save writes one`);
  return candidates[0]!;
}

async function byteOrder(archive: Archive, prefix: string, file: string): Promise<boolean> {
  // Written since PyTorch 2.1; older files are little-endian.
  const member = archive.members.get(`${prefix}byteorder`);
  if (!member) return true;
  if (member.size > 16) throw new DataFileError(file, member.name, 'the byteorder record is not "little" or "big"');
  const order = new TextDecoder().decode(await archive.read(member)).trim();
  if (order !== 'little' && order !== 'big') throw new DataFileError(file, member.name, `byteorder '${order.slice(0, 16)}' is not "little" or "big"`);
  return order === 'little';
}

/** Every tensor in the tree with its dotted path: dict keys and list/tuple indices joined by dots. */
function nameTensors(root: PickleValue, stem: string, file: string, member: string, limits: ReadLimits): { name: string; ref: TensorRef }[] {
  const found: { name: string; ref: TensorRef }[] = [];
  let visits = 0;
  const join = (prefix: string, part: string) => (prefix === '' ? part : `${prefix}.${part}`);
  const visit = (value: PickleValue, path: string, depth: number): void => {
    if (depth > limits.maxPickleDepth)
      throw new DataFileError(file, member, `containers nest more than ${limits.maxPickleDepth} deep${raiseWith('maxPickleDepth')}`);
    if (++visits > MAX_VISITS) throw new DataFileError(file, member, `the pickle's containers share contents more than ${MAX_VISITS} times`);
    if (value instanceof TensorRef) {
      if (found.length >= limits.maxTensors) throw new DataFileError(file, member, `more than ${limits.maxTensors} tensors${raiseWith('maxTensors')}`);
      found.push({ name: path === '' ? stem : path, ref: value });
    } else if (value instanceof PickleDict) {
      let index = 0;
      for (const { key, value: item } of value.entries.values()) {
        visit(item, join(path, keyName(key) ?? String(index)), depth + 1);
        index++;
      }
    } else if (value instanceof PickleList || value instanceof PickleTuple || value instanceof PickleSet) {
      value.items.forEach((item, index) => visit(item, join(path, String(index)), depth + 1));
    }
    // Numbers, strings, bytes, None: not tensors, and not an error.
  };
  visit(root, '', 0);
  return found;
}

function keyName(key: PickleValue): string | undefined {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'bigint') return String(key);
  if (typeof key === 'boolean') return key ? 'True' : 'False';
  if (key === null) return 'None';
  return undefined;
}

/** The view's elements in C order. Contiguous views share the storage's array. */
function gather(storage: NumericArray, ref: TensorRef, count: number): NumericArray {
  const { shape, stride, offset } = ref;
  if (isContiguous(ref) || count === 0) return storage.subarray(offset, offset + count);
  const out = new (storage.constructor as new (length: number) => NumericArray)(count);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let source = offset;
  for (let i = 0; i < count; i++) {
    out[i] = storage[source]!;
    // Odometer over the indices, last axis fastest.
    for (let axis = rank - 1; axis >= 0; axis--) {
      if (++index[axis]! < shape[axis]!) {
        source += stride[axis]!;
        break;
      }
      source -= (shape[axis]! - 1) * stride[axis]!;
      index[axis] = 0;
    }
  }
  return out;
}

/** Whether the view's elements are consecutive in its storage, in C order. */
function isContiguous({ shape, stride }: TensorRef): boolean {
  for (let i = shape.length - 1, expected = 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}

function hasInexact(data: NumericArray): boolean {
  for (let i = 0; i < data.length; i++) if (Math.abs(data[i]!) >= 2 ** 53) return true;
  return false;
}
