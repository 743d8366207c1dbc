/**
 * A minimal read-only zip reader over a ByteSource, for .npz: the central directory (zip64
 * included), then each member either as a byte range of the file (stored, as np.savez writes)
 * or inflated in memory within the limits (deflated, as np.savez_compressed writes).
 */
import { inflateRawSync } from 'node:zlib';
import { readBytesInto, type ByteSource } from './byteSource';
import { DataFileError, foreignReason, quoteName, ShortReadError } from './errors';
import { raiseWith, type ReadLimits } from './limits';

export interface ZipMember {
  readonly name: string;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  readonly compressedSize: number;
  /** Uncompressed size as the central directory declares it. */
  readonly size: number;
  readonly crc32: number;
  readonly localHeaderOffset: number;
  /** Where the member's central directory entry is, for messages. */
  readonly entryOffset: number;
}

export interface ZipArchive {
  /** In central directory order. */
  readonly members: readonly ZipMember[];
  /**
   * The member's content as a ByteSource named like the archive: a window on the file when
   * stored (nothing is copied), the inflated bytes when deflated (CRC-32 checked).
   */
  open(member: ZipMember): Promise<MemberContent>;
}

export interface MemberContent {
  readonly source: ByteSource;
  /** Where the content starts in the archive file when stored; undefined when inflated. */
  readonly fileOffset: number | undefined;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** The end record (22 bytes) plus the longest comment (65,535 bytes). */
const MAX_TAIL = 22 + 0xffff;
const MAX_NAME_LENGTH = 1024;

/** A window of `length` bytes from `offset` on another source; reads outside it are refused. */
export function sliceSource(source: ByteSource, offset: number, length: number, name = source.name): ByteSource {
  return {
    name,
    size: length,
    ...(source.onDisk ? { onDisk: { path: source.onDisk.path, offset: source.onDisk.offset + offset } } : {}),
    read(at, count) {
      if (at < 0 || count < 0 || at + count > length)
        return Promise.reject(new ShortReadError(`read of ${count} bytes at ${at} is past the end (${length} bytes)`));
      return source.read(offset + at, count);
    },
    readInto(at, target) {
      if (at < 0 || at + target.length > length)
        return Promise.reject(new ShortReadError(`read of ${target.length} bytes at ${at} is past the end (${length} bytes)`));
      return readBytesInto(source, offset + at, target);
    },
    close: async () => {},
  };
}

let crcTable: Int32Array | undefined;

/** CRC-32 (IEEE), as zip records it; written here because zlib.crc32 is missing from older Node 20 releases. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  const table = crcTable;
  let c = ~crc;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** `maxMembers`: archives whose members are not all tensors (torch.save's) allow a few more. */
export async function openZip(source: ByteSource, limits: ReadLimits, maxMembers = limits.maxTensors): Promise<ZipArchive> {
  const file = source.name;
  const fail = (place: string, reason: string): never => {
    throw new DataFileError(file, place, reason);
  };
  const readView = async (offset: number, length: number, what: string): Promise<DataView> => {
    if (offset < 0 || length < 0 || offset + length > source.size)
      fail(`byte ${offset}`, `the ${what} runs past the end of the file (${source.size} bytes); the file may be truncated`);
    const bytes = await source.read(offset, length);
    return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
  const u64 = (view: DataView, at: number): number => {
    const high = view.getUint32(at + 4, true);
    // Past 2^53 a value cannot be an offset or size in any file this reader can open.
    return high >= 0x200000 ? Number.POSITIVE_INFINITY : high * 2 ** 32 + view.getUint32(at, true);
  };

  if (source.size < 22) fail('byte 0', `${source.size} bytes is too short for a zip archive`);
  // Archives without a comment (np.savez, torch.save) end with the 22-byte record: read just
  // that first, and the longest possible tail only when it is not there.
  const plainEnd = await readView(source.size - 22, 22, 'end of the archive');
  const withoutComment = plainEnd.getUint32(0, true) === EOCD && plainEnd.getUint16(20, true) === 0;
  const tailLength = withoutComment ? 22 : Math.min(source.size, MAX_TAIL);
  const tailStart = source.size - tailLength;
  const tail = withoutComment ? plainEnd : await readView(tailStart, tailLength, 'end of the archive');
  let eocd = -1;
  for (let i = tailLength - 22; i >= 0; i--) {
    // The comment length must reach no further than the end, which rules out most false matches.
    if (tail.getUint32(i, true) === EOCD && i + 22 + tail.getUint16(i + 20, true) <= tailLength) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail(`byte ${tailStart}`, 'no zip end-of-directory record in the last 65,557 bytes; the file is truncated or not a zip archive');
  const eocdOffset = tailStart + eocd;
  const eocdPlace = `byte ${eocdOffset}`;
  if (tail.getUint16(eocd + 4, true) !== 0 || tail.getUint16(eocd + 6, true) !== 0) fail(eocdPlace, 'multi-part zip archives are not supported');
  let count: number = tail.getUint16(eocd + 10, true);
  let directorySize: number = tail.getUint32(eocd + 12, true);
  let directoryOffset: number = tail.getUint32(eocd + 16, true);
  let directoryEnd = eocdOffset;

  const locatorOffset = eocdOffset - 20;
  if (locatorOffset >= 0 && (await readView(locatorOffset, 4, 'zip64 locator')).getUint32(0, true) === ZIP64_LOCATOR) {
    const locator = await readView(locatorOffset, 20, 'zip64 locator');
    const recordOffset = u64(locator, 8);
    if (!(recordOffset + 56 <= locatorOffset)) fail(`byte ${locatorOffset}`, `the zip64 locator points at byte ${recordOffset}, outside the archive`);
    const record = await readView(recordOffset, 56, 'zip64 end-of-directory record');
    if (record.getUint32(0, true) !== ZIP64_EOCD) fail(`byte ${recordOffset}`, 'the zip64 end-of-directory record is missing');
    count = u64(record, 32);
    directorySize = u64(record, 40);
    directoryOffset = u64(record, 48);
    directoryEnd = recordOffset;
  } else if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    fail(eocdPlace, 'the archive needs zip64 records but has none');
  }
  if (directorySize > limits.maxHeaderBytes)
    fail(eocdPlace, `the zip directory is ${directorySize} bytes, over the limit of ${limits.maxHeaderBytes}${raiseWith('maxHeaderBytes')}`);
  if (count > maxMembers) fail(eocdPlace, `the archive has ${count} members, over the limit of ${maxMembers}${raiseWith('maxTensors')}`);
  if (count * 46 > directorySize) fail(eocdPlace, `the zip directory (${directorySize} bytes) is too small for ${count} members`);
  if (directoryOffset + directorySize > directoryEnd)
    fail(
      eocdPlace,
      `the zip directory (${directorySize} bytes at byte ${directoryOffset}) overlaps its end record at byte ${directoryEnd}; the file may be truncated`,
    );
  const directory = await readView(directoryOffset, directorySize, 'zip directory');

  const members: ZipMember[] = [];
  const seen = new Set<string>();
  const utf8 = new TextDecoder('utf-8');
  let at = 0;
  for (let index = 0; index < count; index++) {
    const entryOffset = directoryOffset + at;
    const place = `byte ${entryOffset}`;
    if (at + 46 > directorySize || directory.getUint32(at, true) !== CENTRAL) fail(place, `zip directory entry ${index + 1} of ${count} is damaged`);
    const flags = directory.getUint16(at + 8, true);
    const method = directory.getUint16(at + 10, true);
    const crc = directory.getUint32(at + 16, true);
    let compressedSize = directory.getUint32(at + 20, true);
    let size = directory.getUint32(at + 24, true);
    const nameLength = directory.getUint16(at + 28, true);
    const extraLength = directory.getUint16(at + 30, true);
    const commentLength = directory.getUint16(at + 32, true);
    let localHeaderOffset = directory.getUint32(at + 42, true);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > directorySize) fail(place, `zip directory entry ${index + 1} of ${count} runs past the directory's end`);
    const nameBytes = new Uint8Array(directory.buffer, directory.byteOffset + at + 46, nameLength);
    if (nameLength === 0) fail(place, `member ${index + 1} has an empty name`);
    if (nameLength > MAX_NAME_LENGTH) fail(place, `member ${index + 1} has a ${nameLength}-byte name`);
    // Names are UTF-8 (flag bit 11) or CP437; NumPy writes ASCII, so UTF-8 decoding serves both.
    const name = utf8.decode(nameBytes);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(name)) fail(place, `member ${index + 1} has control characters in its name`);
    // Zip64: the fields that are 0xffffffff in the entry follow in extra field 0x0001, in this order.
    const extraEnd = at + 46 + nameLength + extraLength;
    for (let e = at + 46 + nameLength; e + 4 <= extraEnd;) {
      const id = directory.getUint16(e, true);
      const length = directory.getUint16(e + 2, true);
      if (e + 4 + length > extraEnd) fail(place, `the extra fields of member ${quoteName(name)} are damaged`);
      if (id === 0x0001) {
        let p = e + 4;
        const next = (): number => {
          if (p + 8 > e + 4 + length) fail(place, `the zip64 sizes of member ${quoteName(name)} are missing`);
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
    // u64 gives Infinity past 2^53: no real archive has such sizes.
    if (![size, compressedSize, localHeaderOffset].every(Number.isSafeInteger)) fail(place, `the sizes of member ${quoteName(name)} are impossible`);
    if (flags & 1) fail(place, `member ${quoteName(name)} is encrypted`);
    if (method !== 0 && method !== 8) fail(place, `member ${quoteName(name)} uses compression method ${method} (only stored and deflated are read)`);
    if (method === 0 && compressedSize !== size)
      fail(place, `member ${quoteName(name)} is stored but declares ${compressedSize} bytes on disk and ${size} uncompressed`);
    if (localHeaderOffset + 30 + compressedSize > directoryOffset)
      fail(place, `member ${quoteName(name)} (${compressedSize} bytes at byte ${localHeaderOffset}) runs into the zip directory; the file may be truncated`);
    if (seen.has(name)) fail(place, `two members are named ${quoteName(name)}`);
    seen.add(name);
    members.push({ name, method, compressedSize, size, crc32: crc, localHeaderOffset, entryOffset });
    at = end;
  }

  const open = async (member: ZipMember): Promise<MemberContent> => {
    const where = `member ${quoteName(member.name)}`;
    const header = await readView(member.localHeaderOffset, 30, `local header of ${where}`);
    if (header.getUint32(0, true) !== LOCAL)
      fail(`${where}, byte ${member.localHeaderOffset}`, 'the local header is missing (the zip directory points at the wrong place)');
    // The local name and extra field can differ in length from the directory's: use the local ones.
    const start = member.localHeaderOffset + 30 + header.getUint16(26, true) + header.getUint16(28, true);
    if (start + member.compressedSize > directoryOffset)
      fail(
        `${where}, byte ${start}`,
        `its ${member.compressedSize} bytes run into the zip directory at byte ${directoryOffset}; the file may be truncated or the declared size is wrong`,
      );
    if (member.method === 0) return { source: sliceSource(source, start, member.size), fileOffset: start };

    const limit = Math.min(member.size, limits.maxInflatedBytes);
    if (member.size > limits.maxInflatedBytes)
      fail(where, `declares ${member.size} bytes uncompressed, over the limit of ${limits.maxInflatedBytes}${raiseWith('maxInflatedBytes')}`);
    if (member.size > Math.max(1, member.compressedSize) * limits.maxCompressionRatio) {
      fail(
        where,
        `declares ${member.size} bytes uncompressed from ${member.compressedSize} compressed, a ratio over the limit of ${limits.maxCompressionRatio} (a zip bomb?)${raiseWith('maxCompressionRatio')}`,
      );
    }
    const packed = await source.read(start, member.compressedSize);
    let inflated: Uint8Array;
    try {
      // Never more than the declared size: a member that lies about it stops here, not at OOM.
      inflated = inflateRawSync(packed, { maxOutputLength: Math.max(1, limit) });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) return fail(where, `inflates to more than the ${member.size} bytes it declares`);
      return fail(`${where}, byte ${start}`, foreignReason(error, 'the deflated data'));
    }
    if (inflated.length !== member.size) fail(where, `inflates to ${inflated.length} bytes, not the ${member.size} it declares`);
    const actual = crc32(inflated);
    if (actual !== member.crc32) fail(where, `CRC-32 mismatch (${hex(actual)} computed, ${hex(member.crc32)} recorded); the member is corrupt`);
    const bytes = inflated;
    return {
      source: {
        name: file,
        size: bytes.length,
        async read(offset, length) {
          if (offset < 0 || length < 0 || offset + length > bytes.length)
            throw new ShortReadError(`read of ${length} bytes at ${offset} is past the end (${bytes.length} bytes)`);
          return bytes.subarray(offset, offset + length);
        },
        close: async () => {},
      },
      fileOffset: undefined,
    };
  };

  return { members, open };
}

const hex = (value: number): string => `0x${value.toString(16).padStart(8, '0')}`;
