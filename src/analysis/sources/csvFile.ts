import { fileSource, type ByteSource } from '../../readers/byteSource';
import type { CrossEntropyOptions } from '../../engine/crossEntropyLoss';
import type { ClassScores } from '../../engine/categorical';
import type { CsvTable } from '../../readers/csv';
import { streamCsvColumns, sniffCsv, type CsvKeyColumn, type CsvResume } from '../../readers/csvStream';
import { MAX_SLICE_COLUMNS, MAX_SLICES, type SliceColumn } from '../../engine/slices';
import { columnByName } from '../../readers/table';
import { analyzeCategorical } from '../tasks/categorical/analyze';
import { KIND_SAMPLE_ROWS, PARALLEL_MIN_BYTES } from '../sizes';
import type { ReducedBatch } from '../rows/rowBatch';
import type { CategoricalBatch } from '../tasks/categorical/pass';
import { labelsAndScores } from '../threads/labelledRows';
import { csvBlocks } from '../threads/parallelBlocks';
import { chooseRoles } from '../../roles/chooseRoles';
import { isClassifierRoles } from '../../roles/chosenRoles';
import { analyzeRowTask } from '../tasks/analyzeRowTask';
import type { Analysis, AnalysisOptions } from '../results';
import type { StreamOptions } from './streamOptions';
import { csvLayout, withFileLayout } from './fileLayout';

/**
 * A CSV/TSV file on disk, streamed: the layout, task and roles come from its first megabyte,
 * then the columns the task reads are read chunk by chunk into its pass, so a file of any
 * size needs a few chunks of memory. `decompressed`: the file's bytes after gzip, read
 * by this thread alone (the scoring threads read files on disk).
 */
export async function analyzeCsvFile(
  path: string,
  fileName: string,
  options: AnalysisOptions = {},
  stream: StreamOptions = {},
  decompressed?: ByteSource,
): Promise<Analysis> {
  const source = decompressed ?? (await fileSource(path, fileName));
  const { onProgress, ...rest } = stream;
  const pool = decompressed ? undefined : stream.pool;
  // The leading rows read here and the threads' blocks both report: the bar only moves forward.
  let shown = 0;
  const forward = (fraction: number) => {
    if (fraction <= shown) return;
    shown = fraction;
    onProgress?.(fraction);
  };
  const progress = { ...rest, ...(onProgress ? { onProgress: forward } : {}) };
  const parallel = pool !== undefined && source.size > PARALLEL_MIN_BYTES;
  try {
    const layout = await sniffCsv(source);
    const roles = chooseRoles({ kind: 'table', table: layout }, fileName, options);
    if (!isClassifierRoles(roles)) {
      const taskRoles = roles;
      const names = [...taskRoles.targets, ...taskRoles.predictions, ...taskRoles.variance];
      const analysis = await analyzeRowTask(
        {
          fileName,
          format: layout.format,
          roles: taskRoles,
          batches: streamCsvColumns(
            source,
            layout,
            names.map((name) => columnByName(layout, name)!.field!),
            stream,
          ),
          choices: layout.columns.map((column) => column.name),
          rowName: (row) => `row ${row}`,
        },
        options,
      );
      return withFileLayout(analysis, csvLayout(layout));
    }
    const fields = [roles.target, ...roles.predictions].map((name) => columnByName(layout, name)!.field!);
    const k = roles.predictions.length;
    const sliceKeys = sliceColumnsOf(layout);
    const sliceColumns = sliceKeys.map(({ name, values }) => ({ name, values }));
    // With threads, this thread reads only the rows that decide the prediction kind, and the threads every row.
    const split = parallel && k > 1;
    // The threads boot while the first rows are read here.
    if (split) pool.start();
    // Where the first record starts, known once the leading rows are being read (undefined: the file has none).
    let foundFirstRecord: (at: CsvResume | undefined) => void = () => {};
    const firstRecord = new Promise<CsvResume | undefined>((resolve) => (foundFirstRecord = resolve));
    async function* batches(): AsyncGenerator<CategoricalBatch> {
      const head = split ? { stopAfterRows: KIND_SAMPLE_ROWS, onFirstRecord: foundFirstRecord } : {};
      try {
        for await (const batch of streamCsvColumns(source, layout, fields, { ...progress, ...head, ...(sliceKeys.length > 0 ? { keys: sliceKeys } : {}) })) {
          // Column 0 of each row is the label, the rest are its K scores.
          const { labels, scores } = labelsAndScores(batch.values, batch.rows, k);
          yield {
            labels,
            scores: { n: batch.rows, k, values: scores },
            firstRow: batch.firstRow,
            lines: batch.lines,
            ...(batch.keys ? { sliceKeys: batch.keys } : {}),
          };
        }
      } finally {
        foundFirstRecord(undefined);
      }
    }
    async function* reducedRows(crossEntropy: CrossEntropyOptions): AsyncGenerator<ReducedBatch> {
      const at = await firstRecord;
      if (at && pool) yield* csvBlocks(path, source, layout, fields, k, at, crossEntropy, pool, progress, sliceKeys);
    }
    const analysis = await analyzeCategorical(
      {
        fileName,
        format: layout.format,
        k,
        batches: batches(),
        targetName: roles.target,
        predictionNames: roles.predictions,
        choices: layout.columns.map((column) => column.name),
        rolesReason: roles.reason,
        rowName: (row) => `row ${row}`,
        ...(sliceColumns.length > 0 ? { sliceColumns } : {}),
        ...(stream.onPartial ? { onPartial: stream.onPartial } : {}),
        ...(split ? { reducedRows, preview: sampledRows(layout, fields) } : {}),
      },
      options,
    );
    return withFileLayout(analysis, csvLayout(layout));
  } finally {
    await source.close();
  }
}

/**
 * The text columns that group the rows, in file order, at most MAX_SLICE_COLUMNS: those whose
 * MAX_SLICES most frequent values in the sniffed rows cover at least half of them (a split, a
 * language, a source), not ids or free text; each value outside those is "other".
 */
export function sliceColumnsOf(layout: CsvTable): (SliceColumn & CsvKeyColumn)[] {
  return layout.textColumns
    .filter((column) => column.topValues.length >= 2 && column.topShare >= 0.5)
    .slice(0, MAX_SLICE_COLUMNS)
    .map((column) => ({ name: column.name, field: column.column - 1, values: column.topValues.slice(0, MAX_SLICES) }));
}

/** The rows the layout was sniffed from, as class scores of the prediction fields (fields[1..]). */
function sampledRows(layout: CsvTable, fields: readonly number[]): ClassScores {
  const columns = fields.slice(1).map((field) => layout.columns.find((column) => column.field === field)!.values);
  const k = columns.length;
  const values = new Float64Array(layout.rowCount * k);
  for (let j = 0; j < k; j++) for (let i = 0; i < layout.rowCount; i++) values[i * k + j] = columns[j]![i]!;
  return { n: layout.rowCount, k, values };
}
