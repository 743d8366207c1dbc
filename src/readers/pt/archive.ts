/**
 * The zip directory of a torch.save archive, read through a ByteSource: the central directory
 * (zip64 included), then members by byte range. torch.save stores members uncompressed, so a
 * storage is read as a range of the file; deflated members (re-zipped files) are inflated whole,
 * within the limits.
 */
import { inflateRawSync } from 'node:zlib';
import type { ByteSource } from '../byteSource';
import { DataFileError, describeError } from '../errors';
import type { ReadLimits } from '../limits';

export interface ArchiveMember {
  readonly name: string;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

export interface Archive {
  readonly members: ReadonlyMap<string, ArchiveMember>;
  /** `length` bytes of the member's content from `offset` (a range read when stored). */
  read(member: ArchiveMember, offset?: number, length?: number): Promise<Uint8Array>;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export async function openArchive(source: ByteSource, limits: ReadLimits): Promise<Archive> {
  const fail = (place: string, reason: string): never => {
    throw new DataFileError(source.name, place, reason);
  };
  const readBytes = async (offset: number, length: number, what: string): Promise<Uint8Array> => {
    if (offset < 0 || length < 0 || offset + length > source.size) fail(`byte ${offset}`, `the ${what} runs past the end of the file (${source.size} bytes); the file may be truncated`);
    return source.read(offset, length);
  };
  const read = async (offset: number, length: number, what: string): Promise<DataView> => {
    const bytes = await readBytes(offset, length, what);
    return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
  const u64 = (view: DataView, at: number): number => view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;

  // End of central directory: the last record, followed by at most a 64 KB comment. torch.save
  // writes no comment, so the last 42 bytes (with room for a zip64 locator) usually suffice.
  let tailLength = 0;
  let tail: DataView = new DataView(new ArrayBuffer(0));
  let eocd = -1;
  for (const wanted of [42, 22 + 20 + 0xffff]) {
    if (eocd >= 0 || tailLength === source.size) break;
    tailLength = Math.min(source.size, wanted);
    tail = await read(source.size - tailLength, tailLength, 'end of the zip directory');
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.getUint32(i, true) === EOCD) {
        eocd = i;
        break;
      }
    }
  }
  if (eocd < 0) fail('', 'no zip directory at the end of the file; the file may be truncated');
  let count = tail.getUint16(eocd + 10, true);
  let directorySize = tail.getUint32(eocd + 12, true);
  let directoryOffset = tail.getUint32(eocd + 16, true);
  const eocdOffset = source.size - tailLength + eocd;
  if (eocd >= 20 && tail.getUint32(eocd - 20, true) === ZIP64_LOCATOR) {
    const zip64Offset = u64(tail, eocd - 20 + 8);
    const record = await read(zip64Offset, 56, 'zip64 directory record');
    if (record.getUint32(0, true) !== ZIP64_EOCD) fail(`byte ${zip64Offset}`, 'the zip64 directory record is missing');
    count = u64(record, 32);
    directorySize = u64(record, 40);
    directoryOffset = u64(record, 48);
  }
  if (directorySize > limits.maxHeaderBytes) fail(`byte ${eocdOffset}`, `the zip directory is ${directorySize} bytes, over the ${limits.maxHeaderBytes}-byte limit`);
  if (count > limits.maxTensors + 16) fail(`byte ${eocdOffset}`, `the archive has ${count} members, over the limit of ${limits.maxTensors}`);
  const directory = await read(directoryOffset, directorySize, 'zip directory');

  const members = new Map<string, ArchiveMember>();
  const names = new TextDecoder('utf-8');
  let at = 0;
  for (let index = 0; index < count; index++) {
    const place = `byte ${directoryOffset + at}`;
    if (at + 46 > directorySize || directory.getUint32(at, true) !== CENTRAL) fail(place, 'the zip directory is damaged');
    const flags = directory.getUint16(at + 8, true);
    const method = directory.getUint16(at + 10, true);
    let compressedSize = directory.getUint32(at + 20, true);
    let size = directory.getUint32(at + 24, true);
    const nameLength = directory.getUint16(at + 28, true);
    const extraLength = directory.getUint16(at + 30, true);
    const commentLength = directory.getUint16(at + 32, true);
    let localHeaderOffset = directory.getUint32(at + 42, true);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > directorySize) fail(place, 'the zip directory is damaged');
    const name = names.decode(new Uint8Array(directory.buffer, directory.byteOffset + at + 46, nameLength));
    // Zip64: sizes and offset that do not fit 32 bits are in extra field 0x0001, in this order.
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength; ) {
      const id = directory.getUint16(e, true);
      const length = directory.getUint16(e + 2, true);
      if (id === 0x0001) {
        let p = e + 4;
        const next = (): number => {
          if (p + 8 > e + 4 + length) fail(place, `the zip64 sizes of '${name}' are missing`);
          const value = u64(directory, p);
          p += 8;
          return value;
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      e += 4 + length;
    }
    if (flags & 1) fail(place, `member '${name}' is encrypted`);
    if (method !== 0 && method !== 8) fail(place, `member '${name}' uses compression method ${method} (only stored and deflated are read)`);
    if (method === 0 && compressedSize !== size) fail(place, `member '${name}' is stored but its sizes differ`);
    members.set(name, { name, method, compressedSize, size, localHeaderOffset });
    at = end;
  }

  const dataOffsets = new Map<ArchiveMember, number>();
  const dataOffset = async (member: ArchiveMember): Promise<number> => {
    let offset = dataOffsets.get(member);
    if (offset === undefined) {
      const header = await read(member.localHeaderOffset, 30, `header of '${member.name}'`);
      if (header.getUint32(0, true) !== LOCAL) fail(`byte ${member.localHeaderOffset}`, `the header of '${member.name}' is missing`);
      offset = member.localHeaderOffset + 30 + header.getUint16(26, true) + header.getUint16(28, true);
      if (offset + member.compressedSize > source.size) fail(`byte ${offset}`, `member '${member.name}' runs past the end of the file; the file may be truncated`);
      dataOffsets.set(member, offset);
    }
    return offset;
  };

  return {
    members,
    async read(member, offset = 0, length = member.size - offset) {
      if (offset < 0 || length < 0 || offset + length > member.size) fail(`member '${member.name}'`, `${length} bytes at ${offset} are past its end (${member.size} bytes)`);
      const start = await dataOffset(member);
      if (member.method === 0) return readBytes(start + offset, length, `member '${member.name}'`);
      if (member.size > limits.maxInflatedBytes || member.size > member.compressedSize * limits.maxCompressionRatio) {
        fail(`member '${member.name}'`, `inflates to ${member.size} bytes from ${member.compressedSize}, over the limits`);
      }
      const packed = await readBytes(start, member.compressedSize, `member '${member.name}'`);
      let inflated: Uint8Array;
      try {
        inflated = inflateRawSync(packed, { maxOutputLength: Math.max(1, member.size) });
      } catch (error) {
        return fail(`member '${member.name}'`, `cannot be inflated: ${describeError(error)}`);
      }
      if (inflated.length !== member.size) fail(`member '${member.name}'`, `inflates to ${inflated.length} bytes, not the ${member.size} its header says`);
      return inflated.subarray(offset, offset + length);
    },
  };
}
