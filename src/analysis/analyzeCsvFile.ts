import { fileSource } from '../readers/byteSource';
import { streamCsvColumns, sniffCsv } from '../readers/csvStream';
import { DataFileError } from '../readers/errors';
import { columnByName } from '../readers/table';
import { analyzeCategorical } from './analyzeCategorical';
import type { CategoricalBatch } from './categoricalPass';
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
}

/**
 * A CSV/TSV file on disk, streamed: the layout, task and roles come from its first megabyte,
 * then the columns the task reads are read chunk by chunk into its pass, so a file of any
 * size needs a few chunks of memory.
 */
export async function analyzeCsvFile(path: string, fileName: string, options: AnalysisOptions = {}, stream: StreamOptions = {}): Promise<Analysis> {
  const source = await fileSource(path, fileName);
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
    async function* batches(): AsyncGenerator<CategoricalBatch> {
      for await (const batch of streamCsvColumns(source, layout, fields, stream)) {
        // Column 0 of each row is the label, the rest are its K scores.
        const labels = new Float64Array(batch.rows);
        const scores = new Float64Array(batch.rows * k);
        const values = batch.values;
        for (let i = 0, from = 0, to = 0; i < batch.rows; i++) {
          labels[i] = values[from++]!;
          for (let j = 0; j < k; j++) scores[to++] = values[from++]!;
        }
        yield { labels, scores: { n: batch.rows, k, values: scores }, firstRow: batch.firstRow, lines: batch.lines };
      }
    }
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
      },
      options,
    );
  } finally {
    await source.close();
  }
}
