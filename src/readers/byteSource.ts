import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ShortReadError } from './errors';

/**
 * Random access to a file's bytes. Tensor readers read headers and tensors by byte range
 * through this, so no file is ever held whole in one Buffer (files can exceed 2 GB).
 */
export interface ByteSource {
  /** The file's name, for messages. */
  readonly name: string;
  readonly size: number;
  /** Where byte 0 of this source lies in a file on disk; undefined for bytes only in memory. */
  readonly onDisk?: { readonly path: string; readonly offset: number };
  /** Exactly `length` bytes at `offset`; throws if the file is shorter. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Exactly target.length bytes at `offset`, straight into `target` (a typed array's own memory): no copy. */
  readInto?(offset: number, target: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Bytes already in memory: editor buffers, tests and fuzzing. */
export function memorySource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.length,
    async read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > bytes.length)
        throw new ShortReadError(`read of ${length} bytes at ${offset} is past the end (${bytes.length} bytes)`);
      return bytes.subarray(offset, offset + length);
    },
    async readInto(offset, target) {
      target.set(await this.read(offset, target.length));
    },
    async close() {},
  };
}

/** A file on disk, opened read-only. */
export async function fileSource(path: string, name: string): Promise<ByteSource> {
  const handle: FileHandle = await open(path, 'r');
  const { size } = await handle.stat();
  const readInto = async (offset: number, target: Uint8Array) => {
    const length = target.length;
    if (offset < 0 || offset + length > size) throw new ShortReadError(`read of ${length} bytes at ${offset} is past the end (${size} bytes)`);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(target, done, length - done, offset + done);
      if (bytesRead === 0) throw new ShortReadError(`the file ended at byte ${offset + done} while reading ${length} bytes at ${offset}`);
      done += bytesRead;
    }
  };
  return {
    name,
    size,
    onDisk: { path, offset: 0 },
    async read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > size) throw new ShortReadError(`read of ${length} bytes at ${offset} is past the end (${size} bytes)`);
      const buffer = new Uint8Array(length);
      await readInto(offset, buffer);
      return buffer;
    },
    readInto,
    close: () => handle.close(),
  };
}

/**
 * Serves small reads from a window read ahead, for files of many tiny tensors: a million 1-byte
 * tensors are a few window reads, not a million system calls. Large reads go straight through.
 */
export function readAhead(source: ByteSource, windowBytes = 1 << 20): ByteSource {
  let start = 0;
  let window: Uint8Array = new Uint8Array(0);
  return {
    name: source.name,
    size: source.size,
    ...(source.onDisk ? { onDisk: source.onDisk } : {}),
    async read(offset, length) {
      // Large reads, and reads the source must refuse, go straight through.
      if (length >= windowBytes || offset < 0 || offset + length > source.size) return source.read(offset, length);
      if (offset < start || offset + length > start + window.length) {
        start = offset;
        window = await source.read(offset, Math.min(Math.max(windowBytes, length), source.size - offset));
      }
      return window.slice(offset - start, offset - start + length);
    },
    async readInto(offset, target) {
      if (target.length >= windowBytes) await readBytesInto(source, offset, target);
      else target.set(await this.read(offset, target.length));
    },
    close: () => source.close(),
  };
}

/** Bytes at `offset` into `target`: directly where the source can, else through a copy. */
export async function readBytesInto(source: ByteSource, offset: number, target: Uint8Array): Promise<void> {
  if (source.readInto) await source.readInto(offset, target);
  else target.set(await source.read(offset, target.length));
}

/**
 * Fills `bytes` from `offset` of the open file `fd`, synchronously (for worker and scoring
 * threads), or as much of it as the file holds: the bytes read.
 */
export function readFileRange(fd: number, offset: number, bytes: Uint8Array): Uint8Array {
  let done = 0;
  while (done < bytes.length) {
    // At most 1 GB a call: one read may not ask for 2 GB or more.
    const read = readSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30), offset + done);
    if (read === 0) return bytes.subarray(0, done);
    done += read;
  }
  return bytes;
}
