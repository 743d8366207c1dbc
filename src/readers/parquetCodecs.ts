import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import type { Compressors } from 'hyparquet';
import { decodeLz4Hadoop, decodeLz4Raw } from './lz4';

/**
 * Page decompressors for the codecs pandas' to_parquet offers besides snappy (which hyparquet
 * decodes itself), and both of Parquet's LZ4 codecs. Each is told the page's declared size and never produces more: a page that
 * would inflate past it is refused rather than allocated.
 */
export const PARQUET_CODECS: Compressors = {
  GZIP: (input, outputLength) => gunzipSync(input, { maxOutputLength: Math.max(1, outputLength) }),
  BROTLI: (input, outputLength) => brotliDecompressSync(input, { maxOutputLength: Math.max(1, outputLength) }),
  LZ4_RAW: decodeLz4Raw,
  LZ4: decodeLz4Hadoop,
  ZSTD: (input, outputLength) => {
    const output = new Uint8Array(outputLength);
    const written = zstdDecompress(input, output);
    return written.length === outputLength ? written : written.subarray(0, written.length);
  },
};

export const SUPPORTED_CODECS = ['UNCOMPRESSED', 'SNAPPY', ...Object.keys(PARQUET_CODECS)];
