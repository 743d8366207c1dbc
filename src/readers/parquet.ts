import { parquetMetadataAsync, parquetRead, type AsyncBuffer, type FileMetaData, type SchemaElement } from 'hyparquet';
import type { ByteSource } from './byteSource';
import { DataFileError } from './errors';
import type { NumericColumn, Table } from './table';

const NUMERIC_TYPES = new Set(['INT32', 'INT64', 'FLOAT', 'DOUBLE', 'BOOLEAN']);

/** hyparquet reads through this: byte ranges of the file, never the whole file at once. */
function asyncBuffer(source: ByteSource): AsyncBuffer {
  return {
    byteLength: source.size,
    async slice(start, end = source.size) {
      const bytes = await source.read(start, Math.max(0, Math.min(end, source.size) - start));
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

/** Top-level leaf columns of a flat schema (nested groups are not tables of numbers). */
function flatColumns(metadata: FileMetaData): SchemaElement[] {
  const [root, ...rest] = metadata.schema;
  const columns: SchemaElement[] = [];
  let index = 0;
  for (let child = 0; child < (root?.num_children ?? 0) && index < rest.length; child++) {
    const element = rest[index]!;
    if (element.num_children) {
      // Skip the whole group: its descendants follow it in depth-first order.
      let pending = element.num_children;
      index++;
      while (pending > 0 && index < rest.length) {
        pending += (rest[index]!.num_children ?? 0) - 1;
        index++;
      }
      continue;
    }
    columns.push(element);
    index++;
  }
  return columns;
}

/**
 * Reads the numeric columns of a Parquet file (pandas' to_parquet output: snappy or
 * uncompressed, dictionary or plain encoding) into a table. Nulls become NaN; int64 beyond
 * 2^53 is flagged; text columns are listed but not read.
 */
export async function readParquet(source: ByteSource): Promise<Table & { readonly warnings: readonly string[]; readonly textColumns: readonly string[] }> {
  const file = asyncBuffer(source);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw new DataFileError(source.name, '', `not a Parquet file (${(error as Error).message})`);
  }
  const rows = Number(metadata.num_rows);
  if (!Number.isSafeInteger(rows) || rows < 0) throw new DataFileError(source.name, '', `the footer claims ${metadata.num_rows} rows`);
  const columns = flatColumns(metadata);
  const numeric = columns.filter((column) => column.type !== undefined && NUMERIC_TYPES.has(column.type));
  const values = new Map(numeric.map((column) => [column.name, new Float64Array(rows).fill(Number.NaN)]));
  let beyondSafe = 0;
  try {
    await parquetRead({
      file,
      metadata,
      columns: numeric.map((column) => column.name),
      utf8: false,
      onChunk: ({ columnName, columnData, rowStart, rowEnd }) => {
        const target = values.get(columnName);
        if (!target) return;
        for (let i = 0; i < rowEnd - rowStart && rowStart + i < rows; i++) {
          const v = columnData[i] as number | bigint | boolean | null | undefined;
          if (v === null || v === undefined) continue;
          if (typeof v === 'bigint') {
            if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) beyondSafe++;
            target[rowStart + i] = Number(v);
          } else target[rowStart + i] = typeof v === 'boolean' ? Number(v) : v;
        }
      },
    });
  } catch (error) {
    if (error instanceof DataFileError) throw error;
    throw new DataFileError(source.name, '', `the Parquet data cannot be read (${(error as Error).message})`);
  }
  const table: NumericColumn[] = numeric.map((column, field) => ({ name: column.name, values: values.get(column.name)!, field }));
  return {
    format: 'parquet',
    columns: table,
    rowCount: rows,
    warnings: beyondSafe > 0 ? [`${beyondSafe} int64 value(s) are beyond 2^53 and were rounded`] : [],
    textColumns: columns.filter((column) => !numeric.includes(column)).map((column) => column.name),
  };
}
