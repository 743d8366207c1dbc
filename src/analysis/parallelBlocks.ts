import { scoreBlock, shiftRows } from '../engine/categoricalBlock';
import type { CrossEntropyOptions } from '../engine/crossEntropyLoss';
import { RowError } from '../engine/rowError';
import type { ByteSource } from '../readers/byteSource';
import type { CsvTable } from '../readers/csv';
import { cellPlace, recordLayout, streamCsvColumns, type CsvResume } from '../readers/csvStream';
import { DataFileError } from '../readers/errors';
import type { NumericArray, StoredElements } from '../readers/tensor';
import type { ReducedBatch } from './categoricalPass';
import { labelsAndScores } from './labelledRows';
import type { ScoringResult } from './scoringMessages';
import type { ScoringPool } from './scoringPool';

/**
 * A big file's rows scored and reduced in blocks on a pool's threads, and handed back in file
 * order for the pass to merge: blocks like those a pass on one thread reduces, so the sums
 * agree with it (to the last bit when the blocks fall on the same rows, as for tensors of up to
 * 16 classes). The calling thread has only read the leading rows that decide the kind.
 */

/**
 * Jobs in flight per thread: enough to keep every thread busy while results are merged in order
 * and while this thread fits the temperature curve (~50 ms), and few enough that waiting results
 * stay a few MB (about 1 MB per tensor job, 0.7 MB per CSV job).
 */
const TENSOR_JOBS_PER_THREAD = 8;
const CSV_JOBS_PER_THREAD = 3;
/** Rows of tensors per job, as many as inMemoryBatches puts in a batch... */
const ROWS_PER_JOB = 65_536;
/** ...unless that is over this many values: a thread's block of a wide tensor stays a few MB. */
const VALUES_PER_JOB = 1 << 20;
/** Bytes of CSV per job: the lines that start in them. */
const CSV_JOB_BYTES = 4 << 20;

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
  const n = 'path' in labels ? labels.count : labels.length;
  const sharedLabels = 'path' in labels ? labels : inSharedMemory(labels);
  const sharedValues = 'path' in values ? values : inSharedMemory(values);
  const rowsPerJob = Math.max(1, Math.min(ROWS_PER_JOB, Math.floor(VALUES_PER_JOB / k)));
  const dropped = droppedFlag();
  const queue: { from: number; to: number; result: Promise<ScoringResult> }[] = [];
  let next = from;
  const fill = () => {
    while (next < n && queue.length < TENSOR_JOBS_PER_THREAD * pool.size) {
      const to = Math.min(n, next + rowsPerJob);
      queue.push({ from: next, to, result: pool.run({ type: 'rows', labels: sharedLabels, values: sharedValues, from: next, to, k, crossEntropy, dropped }) });
      next = to;
    }
  };
  try {
    fill();
    while (queue.length > 0) {
      if (progress.signal?.aborted) return;
      const job = queue.shift()!;
      const result = await job.result;
      fill();
      if (result.type === 'error') throw new RowError(result.row ?? job.from, result.reason);
      if (result.type !== 'reduced') throw new Error(`unexpected ${result.type} for rows ${job.from}..${job.to}`);
      yield { labels: result.labels ?? (sharedLabels as NumericArray).subarray(job.from, job.to), block: result.block, firstRow: job.from };
      progress.onProgress?.(job.to / n);
    }
  } finally {
    Atomics.store(dropped, 0, 1);
  }
}

/** A DroppedFlag for the jobs of one reader, not yet set. */
function droppedFlag(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
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
): AsyncGenerator<ReducedBatch> {
  // Scores first, the label last: see ScoringJob.
  const plain = recordLayout(layout, [...fields.slice(1), fields[0]!]);
  const dropped = droppedFlag();
  const queue: { to: number; result: Promise<ScoringResult> }[] = [];
  let next = resume.offset;
  const fill = () => {
    while (next < source.size && queue.length < CSV_JOBS_PER_THREAD * pool.size) {
      const to = Math.min(source.size, next + CSV_JOB_BYTES);
      queue.push({ to, result: pool.run({ type: 'csv', path, from: next, to, fromIsLineStart: next === resume.offset, layout: plain, k, crossEntropy, dropped }) });
      next = to;
    }
  };
  let line = resume.line;
  let firstRow = resume.firstRow;
  try {
    fill();
    while (queue.length > 0) {
      if (progress.signal?.aborted) return;
      const job = queue.shift()!;
      const result = await job.result;
      if (result.type === 'needsGeneralParser') {
        Atomics.store(dropped, 0, 1);
        queue.length = 0;
        yield* blocksHere(source, layout, fields, k, { offset: result.start, line, firstRow }, crossEntropy, progress);
        return;
      }
      fill();
      if (result.type === 'error') {
        const at = line + (result.line ?? 1) - 1;
        throw new DataFileError(source.name, cellPlace(layout, at, result.field), result.reason);
      }
      if (result.type !== 'reduced') throw new Error(`unexpected ${result.type} for bytes up to ${job.to}`);
      const { block, labels, lines, lineBreaks } = result;
      for (let i = 0; i < lines!.length; i++) lines![i]! += line - 1;
      if (labels!.length > 0) yield { labels: labels!, block: shiftRows(block, firstRow), firstRow, lines: lines! };
      firstRow += labels!.length;
      line += lineBreaks!;
      progress.onProgress?.(job.to / source.size);
    }
  } finally {
    Atomics.store(dropped, 0, 1);
  }
}

/** The general parser from `resume` on, scoring and reducing on this thread. */
async function* blocksHere(source: ByteSource, layout: CsvTable, fields: readonly number[], k: number, resume: CsvResume, crossEntropy: CrossEntropyOptions, progress: BlockProgress): AsyncGenerator<ReducedBatch> {
  for await (const batch of streamCsvColumns(source, layout, fields, { ...progress, resume })) {
    const { labels, scores } = labelsAndScores(batch.values, batch.rows, k);
    let block;
    try {
      block = scoreBlock(k, crossEntropy, labels, scores, batch.rows, batch.firstRow);
    } catch (error) {
      if (error instanceof RowError) throw new DataFileError(source.name, `line ${batch.lines[error.row - batch.firstRow]}`, error.reason);
      throw error;
    }
    yield { labels, block, firstRow: batch.firstRow, lines: batch.lines };
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
