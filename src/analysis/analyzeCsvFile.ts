import { fileSource } from '../readers/byteSource';
import type { CrossEntropyOptions } from '../engine/crossEntropyLoss';
import { streamCsvColumns, sniffCsv, type CsvResume } from '../readers/csvStream';
import { DataFileError } from '../readers/errors';
import { columnByName } from '../readers/table';
import { analyzeCategorical } from './analyzeCategorical';
import { KIND_SAMPLE_ROWS, type CategoricalBatch, type ReducedBatch } from './categoricalPass';
import { labelsAndScores } from './labelledRows';
import { csvBlocks } from './parallelBlocks';
import { PARALLEL_MIN_BYTES, type ScoringPool } from './scoringPool';
import { chooseRoles } from './roles';
import { analyzeTask } from './analyzeTask';
import { taskRolesOf } from './taskRoles';
import type { Analysis, AnalysisOptions } from './types';
import type { PartialResult } from './workerMessages';

export interface StreamOptions {
  readonly onProgress?: (fraction: number) => void;
  /** The classifier's numbers after each batch, for a view of a big file while it streams. */
  readonly onPartial?: (partial: PartialResult) => void;
  readonly signal?: AbortSignal;
  /** Threads to score a big file's rows on (started only for one); without them every row is scored on the calling thread. */
  readonly pool?: ScoringPool;
}

/**
 * A CSV/TSV file on disk, streamed: the layout, task and roles come from its first megabyte,
 * then the columns the task reads are read chunk by chunk into its pass, so a file of any
 * size needs a few chunks of memory.
 */
export async function analyzeCsvFile(path: string, fileName: string, options: AnalysisOptions = {}, stream: StreamOptions = {}): Promise<Analysis> {
  const source = await fileSource(path, fileName);
  const { pool, onProgress, ...rest } = stream;
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
    const taskRoles = taskRolesOf(layout, fileName, options);
    if (taskRoles) {
      const names = [...taskRoles.targets, ...taskRoles.predictions, ...taskRoles.variance];
      return await analyzeTask(
        {
          fileName,
          format: layout.format,
          roles: taskRoles,
          batches: streamCsvColumns(source, layout, names.map((name) => columnByName(layout, name)!.field!), stream),
          choices: layout.columns.map((column) => column.name),
          rowName: (row) => `row ${row}`,
        },
        options,
      );
    }
    let roles;
    try {
      roles = chooseRoles(layout, options);
    } catch (error) {
      throw new DataFileError(fileName, '', (error as Error).message);
    }
    const fields = [roles.target, ...roles.predictions].map((name) => columnByName(layout, name)!.field!);
    const k = roles.predictions.length;
    // With threads, this thread reads only the rows that decide the prediction kind, and the threads every row.
    const split = parallel && k > 1;
    // The threads boot while the first rows are read here.
    if (split) pool.start();
    let firstRecord: CsvResume | undefined;
    async function* batches(): AsyncGenerator<CategoricalBatch> {
      const head = split ? { stopAfterRows: KIND_SAMPLE_ROWS, onFirstRecord: (at: CsvResume) => (firstRecord = at) } : {};
      for await (const batch of streamCsvColumns(source, layout, fields, { ...progress, ...head })) {
        // Column 0 of each row is the label, the rest are its K scores.
        const { labels, scores } = labelsAndScores(batch.values, batch.rows, k);
        yield { labels, scores: { n: batch.rows, k, values: scores }, firstRow: batch.firstRow, lines: batch.lines };
      }
    }
    const reducedRows = (crossEntropy: CrossEntropyOptions) => (firstRecord && pool ? csvBlocks(path, source, layout, fields, k, firstRecord, crossEntropy, pool, progress) : noBatches());
    return await analyzeCategorical(
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
        ...(stream.onPartial ? { onPartial: stream.onPartial } : {}),
        ...(split ? { reducedRows } : {}),
      },
      options,
    );
  } finally {
    await source.close();
  }
}

async function* noBatches(): AsyncGenerator<ReducedBatch> {}
