import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ByteSource } from './byteSource';
import { DataFileError, foreignReason, ShortReadError } from './errors';
import { DEFAULT_LIMITS, raiseWith, type ReadLimits } from './limits';

export const GZIP_MAGIC = [0x1f, 0x8b] as const;
const CHUNK_BYTES = 1 << 20;

export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

/**
 * Runs a gzip file through zlib a chunk at a time, handing each decompressed part to `sink`,
 * and returns the decompressed size. The output is bounded twice, by size and by ratio to the
 * compressed bytes, and the inflater is stopped the moment either is passed, so a gzip bomb
 * costs one chunk of memory and is refused with the setting to raise.
 */
async function inflate(source: ByteSource, limits: ReadLimits, sink: (part: Buffer) => void): Promise<number> {
  if (source.size === 0) throw new DataFileError(source.name, '', 'the file is empty, not gzip data');
  // The ratio bound is not applied to small outputs: a few bytes of header make any tiny file look inflated.
  const ratioBound = Math.max(CHUNK_BYTES, source.size * limits.maxCompressionRatio);
  const bound = Math.min(limits.maxInflatedBytes, ratioBound);
  const gunzip = createGunzip();
  let total = 0;
  let consumed = 0;
  let failure: DataFileError | undefined;
  const refuse = (place: string, reason: string) => {
    if (!failure) failure = new DataFileError(source.name, place, reason);
    gunzip.destroy();
  };
  gunzip.on('data', (part: Buffer) => {
    if (failure) return;
    total += part.length;
    if (total > bound) {
      refuse(
        `byte ${consumed}`,
        total > limits.maxInflatedBytes
          ? `decompresses to more than ${Math.round(limits.maxInflatedBytes / 2 ** 20)} MB${raiseWith('maxInflatedBytes')}`
          : `decompresses to more than ${limits.maxCompressionRatio} times its ${source.size} bytes, a gzip bomb${raiseWith('maxCompressionRatio')}`,
      );
      return;
    }
    sink(part);
  });
  const finished = new Promise<void>((resolve) => {
    gunzip.on('end', resolve);
    gunzip.on('close', resolve);
    gunzip.on('error', (error) => {
      refuse(`byte ${consumed}`, foreignReason(error, 'the gzip data'));
      resolve();
    });
  });
  for (let offset = 0; offset < source.size && !failure;) {
    const length = Math.min(CHUNK_BYTES, source.size - offset);
    const chunk = await source.read(offset, length);
    offset += length;
    consumed = offset;
    // Waits for the inflater to take the chunk, so the output is checked before more input is read.
    if (!gunzip.write(chunk)) await new Promise<void>((resolve) => gunzip.once('drain', resolve).once('close', resolve));
  }
  if (!failure) gunzip.end();
  await finished;
  if (failure) throw failure;
  return total;
}

/** The decompressed bytes of a gzip file (every member, as `gzip -d` gives them), whole, within the limits. */
export async function gunzipSource(source: ByteSource, limits: ReadLimits = DEFAULT_LIMITS): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  const total = await inflate(source, limits, (part) => parts.push(part));
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * A gzip file's decompressed bytes as a source read front to back, as the text readers read:
 * one pass measures (and bounds) the decompressed size, then reads inflate again from the
 * start, holding only the parts that cover the bytes asked for. A read before what is held
 * starts the inflater over, so memory stays a few chunks whatever the file's size.
 */
export async function gzipSource(file: ByteSource, limits: ReadLimits = DEFAULT_LIMITS): Promise<ByteSource> {
  const size = await inflate(file, limits, () => {});
  let parts: Buffer[] = [];
  let start = 0;
  let end = 0;
  let closed = false;
  let inflater: { readonly next: () => Promise<IteratorResult<Buffer>>; readonly stop: () => void } | undefined;
  const restart = () => {
    inflater?.stop();
    const gunzip = createGunzip();
    const input = Readable.from(
      (async function* () {
        for (let offset = 0; offset < file.size; offset += CHUNK_BYTES) yield await file.read(offset, Math.min(CHUNK_BYTES, file.size - offset));
      })(),
    );
    input.on('error', (error) => gunzip.destroy(error));
    input.pipe(gunzip);
    const iterator = gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    inflater = {
      next: () => iterator.next(),
      stop: () => {
        input.destroy();
        gunzip.destroy();
      },
    };
    parts = [];
    start = 0;
    end = 0;
  };
  return {
    name: file.name,
    size,
    async read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > size) throw new ShortReadError(`read of ${length} bytes at ${offset} is past the end (${size} bytes)`);
      if (!inflater || offset < start) restart();
      while (end < offset + length) {
        let next: IteratorResult<Buffer>;
        try {
          next = await inflater!.next();
        } catch (error) {
          throw new DataFileError(file.name, `byte ${end} decompressed`, foreignReason(error, 'the gzip data'));
        }
        if (next.done) throw new DataFileError(file.name, `byte ${end} decompressed`, `the gzip data ended before its measured ${size} bytes`);
        parts.push(next.value);
        end += next.value.length;
      }
      // Parts wholly before this read are not needed again by a reader going forward.
      while (parts.length > 0 && start + parts[0]!.length <= offset) start += parts.shift()!.length;
      const out = new Uint8Array(length);
      let at = start;
      let written = 0;
      for (const part of parts) {
        if (written === length) break;
        const from = Math.max(0, offset + written - at);
        const take = Math.min(part.length - from, length - written);
        if (take > 0) {
          out.set(part.subarray(from, from + take), written);
          written += take;
        }
        at += part.length;
      }
      return out;
    },
    async close() {
      if (closed) return;
      closed = true;
      inflater?.stop();
      inflater = undefined;
      parts = [];
      await file.close();
    },
  };
}
