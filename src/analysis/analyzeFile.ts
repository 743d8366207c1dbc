import { basename } from 'node:path';
import { parseTableBytes, readDataFile, type ReadOptions } from '../readers/readDataFile';
import { analyzeTable } from './analyzeTable';
import type { Analysis, AnalysisOptions } from './types';

/** Where the data comes from: a file on disk, or the unsaved text of an editor. */
export type AnalysisSource =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'bytes'; readonly name: string; readonly bytes: Uint8Array };

/** reader -> engine: one file in, one analysis out. */
export async function analyzeSource(source: AnalysisSource, options: AnalysisOptions = {}, read: ReadOptions = {}): Promise<Analysis> {
  if (source.kind === 'bytes') return analyzeTable(parseTableBytes(source.bytes, source.name), source.name, options);
  const table = await readDataFile(source.path, read);
  return analyzeTable(table, basename(source.path), options);
}
