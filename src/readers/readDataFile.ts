import { open, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { decodeText, parseCsv, type CsvTable } from './csv';
import { ARROW_MAGIC, isArrowHead } from './arrow';
import { DataFileError } from './errors';
import { isGzip } from './gzip';
import type { ReadLimits } from './limits';

export const TABLE_EXTENSIONS: readonly string[] = ['.csv', '.tsv'];
export const TENSOR_EXTENSIONS: readonly string[] = ['.npy', '.npz', '.safetensors', '.pt', '.pth'];
export const PARQUET_EXTENSIONS: readonly string[] = ['.parquet', '.parq', '.pq'];
/** Arrow IPC: the file format (Feather v2) and the stream format (Hugging Face `datasets` caches). */
export const ARROW_EXTENSIONS: readonly string[] = ['.arrow', '.feather', '.arrows', '.ipc'];
export const JSON_LINES_EXTENSIONS: readonly string[] = ['.jsonl', '.ndjson'];
/** Text tables and JSON Lines compressed with gzip, decompressed as they are read. */
export const GZIP_EXTENSIONS: readonly string[] = [...TABLE_EXTENSIONS, ...JSON_LINES_EXTENSIONS].map((extension) => `${extension}.gz`);
/** Names that say nothing of the format: the file's first bytes decide (Parquet, gzip). */
export const SNIFFED_EXTENSIONS: readonly string[] = ['.gz', '.bin', '.dat'];
export const SUPPORTED_EXTENSIONS: readonly string[] = [
  ...TABLE_EXTENSIONS,
  ...PARQUET_EXTENSIONS,
  ...ARROW_EXTENSIONS,
  ...TENSOR_EXTENSIONS,
  ...JSON_LINES_EXTENSIONS,
  ...GZIP_EXTENSIONS,
  ...SNIFFED_EXTENSIONS,
];

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

/** The file's extension, lower-cased, with a compression suffix kept: `.csv.gz`, `.parquet`. */
export function dataFileExtension(path: string): string {
  const name = basename(path).toLowerCase();
  return GZIP_EXTENSIONS.find((extension) => name.endsWith(extension) && name.length > extension.length) ?? extname(name);
}

export function isSupportedFile(path: string): boolean {
  return SUPPORTED_EXTENSIONS.includes(dataFileExtension(path));
}

/** A text table (CSV/TSV): read from the editor's buffer while it is open. */
export function isTableFile(path: string): boolean {
  return TABLE_EXTENSIONS.includes(extname(path).toLowerCase());
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
  const extension = dataFileExtension(path);
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

/** How a file's bytes are laid out, as its first bytes and then its name say. */
export interface DataFormat {
  readonly kind: 'table' | 'parquet' | 'arrow' | 'jsonLines' | 'tensor';
  /** The bytes are gzip data, and `kind` what their name says they decompress to. */
  readonly gzip: boolean;
  /** The name says nothing of what the gzip data holds: decompressedKind looks. */
  readonly sniff?: boolean;
}

const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31];
const isParquetHead = (head: Uint8Array) => head.length >= 4 && PARQUET_MAGIC.every((byte, i) => head[i] === byte);

/**
 * What a file holds. Magic bytes come first, so a Parquet file named .bin or a gzip file named
 * .gz reads as what it is; tensor files keep their own readers' checks. A gzip file's name says
 * whether it holds a table or JSON Lines (`.csv.gz`, `.jsonl.gz`), else `decompressedKind`
 * decides from the text.
 */
export async function detectDataFormat(path: string): Promise<DataFormat> {
  const extension = dataFileExtension(path);
  if (TENSOR_EXTENSIONS.includes(extension)) return { kind: 'tensor', gzip: false };
  const head = new Uint8Array(6);
  const handle = await open(path, 'r');
  let length: number;
  try {
    ({ bytesRead: length } = await handle.read(head, 0, head.length, 0));
  } finally {
    await handle.close();
  }
  const first = head.subarray(0, length);
  if (isParquetHead(first)) return { kind: 'parquet', gzip: false };
  if (isArrowHead(first)) return { kind: 'arrow', gzip: false };
  if (isGzip(first)) {
    const inner = extension.replace(/\.gz$/, '');
    if (JSON_LINES_EXTENSIONS.includes(inner)) return { kind: 'jsonLines', gzip: true };
    if (TABLE_EXTENSIONS.includes(inner)) return { kind: 'table', gzip: true };
    return { kind: 'table', gzip: true, sniff: true };
  }
  if (GZIP_EXTENSIONS.includes(extension) || SNIFFED_EXTENSIONS.includes(extension)) {
    const found = Array.from(first.subarray(0, 4), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
    const expected = GZIP_EXTENSIONS.includes(extension) ? "gzip's (1f 8b)" : `neither Parquet's ('PAR1'), Arrow's ('${ARROW_MAGIC}') nor gzip's (1f 8b)`;
    throw new DataFileError(basename(path), 'byte 0', `the file starts with ${found || 'nothing'}, ${expected}`);
  }
  if (PARQUET_EXTENSIONS.includes(extension)) return { kind: 'parquet', gzip: false };
  // An Arrow stream starts with its schema message, not a magic number: its reader checks that.
  if (ARROW_EXTENSIONS.includes(extension)) return { kind: 'arrow', gzip: false };
  if (JSON_LINES_EXTENSIONS.includes(extension)) return { kind: 'jsonLines', gzip: false };
  return { kind: 'table', gzip: false };
}

/**
 * What decompressed bytes of a gzip file named for nothing in particular hold: Parquet by its
 * magic, JSON Lines when the first character that is not white space opens an object, else a table.
 */
export function decompressedKind(bytes: Uint8Array, format: DataFormat): DataFormat['kind'] {
  if (!format.sniff) return format.kind;
  if (isParquetHead(bytes)) return 'parquet';
  if (isArrowHead(bytes)) return 'arrow';
  let at = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (at < bytes.length && (bytes[at] === 0x20 || bytes[at] === 0x09 || bytes[at] === 0x0a || bytes[at] === 0x0d)) at++;
  return bytes[at] === 0x7b ? 'jsonLines' : 'table';
}
