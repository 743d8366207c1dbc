import { basename } from 'node:path';
import { fileSource, memorySource, type ByteSource } from '../../readers/byteSource';
import { gzipSource } from '../../readers/gzip';
import { readArrow } from '../../readers/arrow';
import { readParquet } from '../../readers/parquet';
import type { ReadLimits } from '../../readers/limits';
import { checkDataFile, decompressedKind, detectDataFormat, parseTableBytes, type ReadOptions } from '../../readers/readDataFile';
import { analyzeTensorFile } from './tensorFile';
import { analyzeCsvFile } from './csvFile';
import { analyzeJsonLinesFile } from './jsonLinesFile';
import type { StreamOptions } from './streamOptions';
import { analyzeTable } from './table';
import type { Analysis, AnalysisOptions } from '../results';
import { csvLayout, withFileLayout } from './fileLayout';

/** Enough decompressed bytes to tell JSON Lines from a table by their first character. */
const SNIFF_BYTES = 4096;

/** Where the data comes from: a file on disk, or the unsaved text of an editor. */
export type AnalysisSource =
  /** `pairWith`: a second file holding the labels (or predictions) of a lone .npy. */
  { readonly kind: 'path'; readonly path: string; readonly pairWith?: string } | { readonly kind: 'bytes'; readonly name: string; readonly bytes: Uint8Array };

/** reader -> engine: one file in, one analysis out. Files on disk are streamed; editor text is parsed whole. */
export async function analyzeSource(
  source: AnalysisSource,
  options: AnalysisOptions = {},
  read: ReadOptions = {},
  stream: StreamOptions = {},
): Promise<Analysis> {
  if (source.kind === 'bytes') {
    const table = parseTableBytes(source.bytes, source.name);
    return withFileLayout(await analyzeTable(table, source.name, options), csvLayout(table));
  }
  const name = basename(source.path);
  await checkDataFile(source.path, read);
  if (source.pairWith !== undefined) await checkDataFile(source.pairWith, read);
  const format = await detectDataFormat(source.path);
  if (format.kind === 'tensor') return analyzeTensorFile(source.path, options, source.pairWith, read.limits, stream);
  if (format.gzip) {
    const decompressed = await gzipSource(await fileSource(source.path, name), read.limits);
    try {
      const kind = decompressedKind(await decompressed.read(0, Math.min(SNIFF_BYTES, decompressed.size)), format);
      if (kind === 'jsonLines') return await analyzeJsonLinesFile(source.path, name, options, stream, decompressed);
      // Parquet is read from its end: a gzipped one is inflated whole (within the same limits).
      if (kind === 'parquet')
        return await analyzeTable(await readParquet(memorySource(name, await decompressed.read(0, decompressed.size)), read.limits), name, options);
      if (kind === 'arrow')
        return await analyzeTable(await readArrow(memorySource(name, await decompressed.read(0, decompressed.size)), read.limits), name, options);
      return await analyzeCsvFile(source.path, name, options, stream, decompressed);
    } finally {
      await decompressed.close();
    }
  }
  if (format.kind === 'jsonLines') return analyzeJsonLinesFile(source.path, name, options, stream);
  if (format.kind === 'parquet') return analyzeTable(await readParquetFile(await fileSource(source.path, name), read.limits), name, options);
  if (format.kind === 'arrow') return analyzeTable(await readArrowFile(await fileSource(source.path, name), read.limits), name, options);
  return analyzeCsvFile(source.path, name, options, stream);
}

async function readParquetFile(source: ByteSource, limits?: ReadLimits) {
  try {
    return await readParquet(source, limits);
  } finally {
    await source.close();
  }
}

async function readArrowFile(source: ByteSource, limits?: ReadLimits) {
  try {
    return await readArrow(source, limits);
  } finally {
    await source.close();
  }
}
