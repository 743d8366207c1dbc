import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { decodeText, parseCsv, type CsvTable } from './csv';
import { DataFileError } from './errors';
import type { ReadLimits } from './limits';

export const TABLE_EXTENSIONS: readonly string[] = ['.csv', '.tsv'];
export const TENSOR_EXTENSIONS: readonly string[] = ['.npy', '.npz', '.safetensors', '.pt', '.pth'];
export const PARQUET_EXTENSIONS: readonly string[] = ['.parquet'];
export const JSON_LINES_EXTENSIONS: readonly string[] = ['.jsonl', '.ndjson'];
export const SUPPORTED_EXTENSIONS: readonly string[] = [...TABLE_EXTENSIONS, ...PARQUET_EXTENSIONS, ...TENSOR_EXTENSIONS, ...JSON_LINES_EXTENSIONS];

export interface ReadOptions {
  /** Refuse files larger than this many bytes (the setting likelihoodLens.maxFileSizeMB). */
  readonly maxBytes?: number;
  /** Bounds for the tensor readers (the likelihoodLens.limits.* settings); their defaults otherwise. */
  readonly limits?: ReadLimits;
}

const FILE_SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a folder, not a file',
};

export function isSupportedFile(path: string): boolean {
  return SUPPORTED_EXTENSIONS.includes(extname(path).toLowerCase());
}

/** A text table (CSV/TSV): read from the editor's buffer while it is open. */
export function isTableFile(path: string): boolean {
  return TABLE_EXTENSIONS.includes(extname(path).toLowerCase());
}

export function isParquetFile(path: string): boolean {
  return PARQUET_EXTENSIONS.includes(extname(path).toLowerCase());
}

/** JSON Lines: an lm-evaluation-harness samples file, or one record of label and scores per line. */
export function isJsonLinesFile(path: string): boolean {
  return JSON_LINES_EXTENSIONS.includes(extname(path).toLowerCase());
}

export function isTensorFile(path: string): boolean {
  return TENSOR_EXTENSIONS.includes(extname(path).toLowerCase());
}

/** Parses bytes already in memory (an editor's unsaved buffer, a test's fixture). */
export function parseTableBytes(bytes: Uint8Array, fileName: string): CsvTable {
  return parseCsv(decodeText(bytes, fileName), fileName);
}

/** Refuses what cannot be read before any byte is: unknown types, missing files, folders, files over the size limit. */
export async function checkDataFile(path: string, options: ReadOptions = {}): Promise<number> {
  const name = basename(path);
  const extension = extname(path).toLowerCase();
  if (!isSupportedFile(path))
    throw new DataFileError(name, '', `unsupported file type '${extension || '(none)'}'; supported: ${SUPPORTED_EXTENSIONS.join(', ')}`);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new DataFileError(name, '', FILE_SYSTEM_ERRORS[error.code ?? ''] ?? error.message);
  });
  if (info.isDirectory()) throw new DataFileError(name, '', 'is a folder, not a file');
  if (options.maxBytes !== undefined && info.size > options.maxBytes) {
    throw new DataFileError(
      name,
      '',
      `${(info.size / 2 ** 20).toFixed(1)} MB is over the ${(options.maxBytes / 2 ** 20).toFixed(0)} MB limit (setting likelihoodLens.maxFileSizeMB)`,
    );
  }
  return info.size;
}
