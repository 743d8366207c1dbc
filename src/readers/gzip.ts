import { createGunzip } from 'node:zlib';
import type { ByteSource } from './byteSource';
import { DataFileError, describeError } from './errors';
import { DEFAULT_LIMITS, raiseWith, type ReadLimits } from './limits';

export const GZIP_MAGIC = [0x1f, 0x8b] as const;
const CHUNK_BYTES = 1 << 20;

export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

/**
 * The decompressed bytes of a gzip file (every member, as `gzip -d` gives them), streamed through
 * zlib a chunk at a time. The output is bounded twice, by size and by ratio to the compressed
 * bytes, and the inflater is stopped the moment either is passed, so a gzip bomb costs at most
 * the limit in memory and is refused with the setting to raise.
 */
export async function gunzipSource(source: ByteSource, limits: ReadLimits = DEFAULT_LIMITS): Promise<Uint8Array> {
  if (source.size === 0) throw new DataFileError(source.name, '', 'the file is empty, not gzip data');
  // The ratio bound is not applied to small outputs: a few bytes of header make any tiny file look inflated.
  const ratioBound = Math.max(CHUNK_BYTES, source.size * limits.maxCompressionRatio);
  const bound = Math.min(limits.maxInflatedBytes, ratioBound);
  const gunzip = createGunzip();
  const parts: Uint8Array[] = [];
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
    parts.push(part);
  });
  const finished = new Promise<void>((resolve) => {
    gunzip.on('end', resolve);
    gunzip.on('close', resolve);
    gunzip.on('error', (error) => {
      refuse(`byte ${consumed}`, `the gzip data is corrupt (${describeError(error)})`);
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
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
