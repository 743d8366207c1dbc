import { scoreBlock, shiftRows } from '../../engine/categoricalBlock';
import type { CrossEntropyOptions } from '../../engine/crossEntropyLoss';
import { RowError } from '../../engine/rowError';
import type { ByteSource } from '../../readers/byteSource';
import type { CsvTable } from '../../readers/csv';
import { cellPlace, recordLayout, streamCsvColumns, type CsvKeyColumn, type CsvResume } from '../../readers/csvStream';
import { DataFileError } from '../../readers/errors';
import { isStored } from '../../readers/storedElements';
import type { NumericArray, StoredElements } from '../../readers/tensor';
import type { ReducedBatch } from '../rows/rowBatch';
import { labelsAndScores } from './labelledRows';
import type { DroppedFlag, ScoringJob, ScoringResult } from './scoringProtocol';
import type { ScoringPool } from './scoringPool';
import { CSV_JOB_BYTES, CSV_JOBS_PER_THREAD, ROWS_PER_JOB, TENSOR_JOBS_PER_THREAD, VALUES_PER_JOB } from '../sizes';

/**
 * A big file's rows scored and reduced in blocks on a pool's threads, and handed back in file
 * order for the pass to merge: blocks like those a pass on one thread reduces, so the sums
 * agree with it (to the last bit when the blocks fall on the same rows, as for tensors of up to
 * 16 classes). The calling thread has only read the leading rows that decide the kind.
 */

export interface BlockProgress {
  readonly onProgress?: (fraction: number) => void;
  readonly signal?: AbortSignal;
}

/**
 * Rows [from, n) of n labels and [n, k] values, in blocks of ROWS_PER_JOB rows (as
 * inMemoryBatches makes them; fewer for more than 16 classes). Tensors left in their file are
 * read by the threads, a block at a time; arrays in memory are shared with them.
 */
export async function* tensorBlocks(
  labels: NumericArray | StoredElements,
  values: Float32Array | Float64Array | StoredElements,
  k: number,
  from: number,
  crossEntropy: CrossEntropyOptions,
  pool: ScoringPool,
  progress: BlockProgress = {},
): AsyncGenerator<ReducedBatch> {
  const n = isStored(labels) ? labels.count : labels.length;
  const sharedLabels = isStored(labels) ? labels : inSharedMemory(labels);
  const sharedValues = isStored(values) ? values : inSharedMemory(values);
  const rowsPerJob = Math.max(1, Math.min(ROWS_PER_JOB, Math.floor(VALUES_PER_JOB / k)));
  function* jobs(dropped: DroppedFlag): Generator<PlannedJob<{ from: number; to: number }>> {
    for (let next = from; next < n; next += rowsPerJob) {
      const to = Math.min(n, next + rowsPerJob);
      yield { job: { type: 'rows', labels: sharedLabels, values: sharedValues, from: next, to, k, crossEntropy, dropped }, at: { from: next, to } };
    }
  }
  for await (const { at, result } of resultsInOrder(pool, TENSOR_JOBS_PER_THREAD, jobs, progress.signal)) {
    if (result.type === 'error') throw new RowError(result.row ?? at.from, result.reason);
    if (result.type !== 'reduced') throw new Error(`unexpected ${result.type} for rows ${at.from}..${at.to}`);
    yield { labels: result.labels ?? (sharedLabels as NumericArray).subarray(at.from, at.to), block: result.block, firstRow: at.from };
    progress.onProgress?.(at.to / n);
  }
}

/**
 * The records of the CSV file at `path` from `resume` (its first record) on, read, parsed,
 * scored and reduced by `pool`'s threads, each job the lines that start in its stretch of
 * bytes. Lines with a quote may hold line breaks inside a field, so from the first job that
 * has one, the general parser reads the rest in order on this thread.
 */
export async function* csvBlocks(
  path: string,
  source: ByteSource,
  layout: CsvTable,
  fields: readonly number[],
  k: number,
  resume: CsvResume,
  crossEntropy: CrossEntropyOptions,
  pool: ScoringPool,
  progress: BlockProgress = {},
  keys: readonly CsvKeyColumn[] = [],
): AsyncGenerator<ReducedBatch> {
  // Scores first, the label last: see ScoringJob.
  const plain = recordLayout(layout, [...fields.slice(1), fields[0]!]);
  const keyed = keys.length > 0 ? { keys } : {};
  function* jobs(dropped: DroppedFlag): Generator<PlannedJob<number>> {
    for (let next = resume.offset; next < source.size; next += CSV_JOB_BYTES) {
      const to = Math.min(source.size, next + CSV_JOB_BYTES);
      yield { job: { type: 'csv', path, from: next, to, fromIsLineStart: next === resume.offset, layout: plain, ...keyed, k, crossEntropy, dropped }, at: to };
    }
  }
  let line = resume.line;
  let firstRow = resume.firstRow;
  let generalFrom: number | undefined;
  for await (const { at: to, result } of resultsInOrder(pool, CSV_JOBS_PER_THREAD, jobs, progress.signal)) {
    if (result.type === 'needsGeneralParser') {
      // Leaving the loop drops the jobs still queued.
      generalFrom = result.start;
      break;
    }
    if (result.type === 'error') {
      const at = line + (result.line ?? 1) - 1;
      throw new DataFileError(source.name, cellPlace(layout, at, result.field), result.reason);
    }
    if (result.type !== 'reduced') throw new Error(`unexpected ${result.type} for bytes up to ${to}`);
    const { block, labels, lines, lineBreaks, sliceKeys } = result;
    for (let i = 0; i < lines!.length; i++) lines![i]! += line - 1;
    if (labels!.length > 0) yield { labels: labels!, block: shiftRows(block, firstRow), firstRow, lines: lines!, ...(sliceKeys ? { sliceKeys } : {}) };
    firstRow += labels!.length;
    line += lineBreaks!;
    progress.onProgress?.(to / source.size);
  }
  if (generalFrom !== undefined) yield* blocksHere(source, layout, fields, k, { offset: generalFrom, line, firstRow }, crossEntropy, progress, keys);
}

/** A job to send, and what its reader needs to place the result. */
export interface PlannedJob<At> {
  readonly job: ScoringJob;
  readonly at: At;
  /** Buffers of the job's own that move to the thread rather than being copied. */
  readonly transfer?: ArrayBuffer[];
}

/**
 * The results of the jobs `plan` makes, in the order it makes them, with at most `perThread`
 * per thread sent ahead. When the reader stops (done, failed, or gone elsewhere) the jobs' shared
 * flag is set, so the threads skip those still queued. Stops at once when `signal` aborts.
 */
export async function* resultsInOrder<At>(
  pool: ScoringPool,
  perThread: number,
  plan: (dropped: DroppedFlag) => Iterator<PlannedJob<At>>,
  signal: AbortSignal | undefined,
): AsyncGenerator<{ readonly at: At; readonly result: ScoringResult }> {
  const dropped: DroppedFlag = new Int32Array(new SharedArrayBuffer(4));
  const planned = plan(dropped);
  const queue: { at: At; result: Promise<ScoringResult> }[] = [];
  let exhausted = false;
  const fill = () => {
    while (!exhausted && queue.length < perThread * pool.size) {
      const next = planned.next();
      if (next.done) exhausted = true;
      else queue.push({ at: next.value.at, result: pool.run(next.value.job, next.value.transfer) });
    }
  };
  try {
    fill();
    while (queue.length > 0) {
      if (signal?.aborted) return;
      const { at, result } = queue.shift()!;
      const settled = await result;
      fill();
      yield { at, result: settled };
    }
  } finally {
    Atomics.store(dropped, 0, 1);
  }
}

/** The general parser from `resume` on, scoring and reducing on this thread. */
async function* blocksHere(
  source: ByteSource,
  layout: CsvTable,
  fields: readonly number[],
  k: number,
  resume: CsvResume,
  crossEntropy: CrossEntropyOptions,
  progress: BlockProgress,
  keys: readonly CsvKeyColumn[],
): AsyncGenerator<ReducedBatch> {
  for await (const batch of streamCsvColumns(source, layout, fields, { ...progress, resume, ...(keys.length > 0 ? { keys } : {}) })) {
    const { labels, scores } = labelsAndScores(batch.values, batch.rows, k);
    let block;
    try {
      block = scoreBlock(k, crossEntropy, labels, scores, batch.rows, batch.firstRow);
    } catch (error) {
      if (error instanceof RowError) throw new DataFileError(source.name, `line ${batch.lines[error.row - batch.firstRow]}`, error.reason);
      throw error;
    }
    yield { labels, block, firstRow: batch.firstRow, lines: batch.lines, ...(batch.keys ? { sliceKeys: batch.keys } : {}) };
  }
}

/** The array itself when other threads can already read its memory, else a copy that they can. */
function inSharedMemory<T extends NumericArray>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const Kind = array.constructor as new (buffer: SharedArrayBuffer) => T;
  const copy = new Kind(new SharedArrayBuffer(array.byteLength));
  copy.set(array as never);
  return copy;
}
