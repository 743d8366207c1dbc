import type { MessagePort } from 'node:worker_threads';
import { scoreBlock } from '../../engine/categoricalBlock';
import { RowError } from '../../engine/rowError';
import { readOwnedLines } from '../../readers/csvRange';
import { CsvLineError, KeyCoder, parsePlainLines, plainRecordParser, QUOTE, type CsvRecordLayout, type PlainRecordParser } from '../../readers/csvRecords';
import { typedValues } from '../../engine/rowScores';
import { otherAlignmentLosses } from '../../engine/tokens/otherAlignment';
import { TokenError } from '../../engine/tokens/tokenError';
import { scoreTokens, scoresHalves } from '../../engine/tokens/tokenLoss';
import type { TokenLogits } from '../../engine/tokens/tokenLogits';
import { FileChangedError, isStored, readStoredElements, readStoredHalves } from '../../readers/storedElements';
import type { NumericArray, StoredElements } from '../../readers/tensor';
import type { ScoringJob, ScoringReply, ScoringRequest, ScoringResult } from './scoringProtocol';

// A thread runs one job at a time: its bytes and parsed values are kept for the next job
// rather than left to the collector, which keeps each thread's memory to about one job.
let bytes = new Uint8Array(0);
let values = new Float64Array(0);
function bytesFor(length: number): Uint8Array {
  if (bytes.length < length) bytes = new Uint8Array(Math.ceil(1.25 * length));
  return bytes.subarray(0, length);
}
function valuesFor(length: number): Float64Array {
  if (values.length < length) values = new Float64Array(Math.ceil(1.25 * length));
  return values.subarray(0, length);
}
/** The rows last read from a tensor left in its file, whole, to be read into again. */
let storedValues: NumericArray | undefined;
function storedRows(stored: StoredElements, first: number, count: number): NumericArray {
  const rows = readStoredElements(stored, first, count, storedValues, bytesFor);
  // A new array (the first, or a longer or other type) is kept whole; a reused one is a view of it.
  if (rows.buffer !== storedValues?.buffer) storedValues = rows;
  return rows;
}

/**
 * The record parser of the last layout, kept for the next job: a new parser per job would be a
 * new function where parsePlainLines calls it, and V8 would discard its compiled loop each time.
 */
let parser: { readonly key: string; readonly parse: PlainRecordParser } | undefined;
function parserFor(layout: CsvRecordLayout): PlainRecordParser {
  const key = JSON.stringify(layout);
  if (parser?.key !== key) parser = { key, parse: plainRecordParser(layout) };
  return parser.parse;
}

/**
 * The body of a scoring thread: answers each job, in the order received. A bad file is an
 * answer; only a failure of the thread itself (no memory) is thrown, and stops it.
 */
export function serveScoring(port: MessagePort): void {
  port.on('message', ({ id, job }: ScoringRequest) => {
    const result = runScoringJob(job);
    const buffers =
      result.type === 'tokens'
        ? [
            result.scores.nll.buffer,
            result.scores.entropy.buffer,
            result.scores.topProbability.buffer,
            result.scores.predicted.buffer,
            result.scores.rank.buffer,
            result.otherLosses.buffer,
          ]
        : result.type === 'reduced'
          ? [
              result.block.losses.buffer,
              result.block.predicted.buffer,
              result.block.confidence.buffer,
              result.block.reliabilityBins.buffer,
              result.labels?.buffer,
              result.lines?.buffer,
              ...(result.sliceKeys ?? []).map((codes) => codes.buffer),
            ]
          : [];
    // Shared memory is shared, not moved.
    const transfer = buffers.filter((buffer) => buffer instanceof ArrayBuffer);
    port.postMessage({ id, result } satisfies ScoringReply, transfer);
  });
}

export function runScoringJob(job: ScoringJob): ScoringResult {
  if (job.dropped && Atomics.load(job.dropped, 0) !== 0) return { type: 'dropped' };
  const message = (error: unknown) => String((error as Error)?.message ?? error);
  if (job.type === 'tokens') return runTokensJob(job);
  if (job.type === 'rows') {
    const { from, to, k } = job;
    let labels: NumericArray;
    let rowValues: Float32Array | Float64Array;
    try {
      labels = isStored(job.labels) ? readStoredElements(job.labels, from, to - from, undefined, bytesFor) : job.labels.subarray(from, to);
      rowValues = isStored(job.values) ? typedValues(storedRows(job.values, from * k, (to - from) * k)) : job.values.subarray(from * k, to * k);
    } catch (error) {
      // A file cut short is the file's fault; anything else (no memory) is this thread's, and
      // stops it, so the analysis is done again without threads.
      if (error instanceof FileChangedError) return { type: 'error', row: from, reason: error.message };
      throw error;
    }
    try {
      const block = scoreBlock(k, job.crossEntropy, labels, rowValues, to - from, from);
      return { type: 'reduced', block, ...(isStored(job.labels) ? { labels } : {}) };
    } catch (error) {
      if (error instanceof RowError) return { type: 'error', row: error.row, reason: error.reason };
      return { type: 'error', reason: message(error) };
    }
  }
  let parsed;
  let sliceKeys: Uint8Array[] | undefined;
  try {
    const owned = readOwnedLines(job.path, job.from, job.to, job.fromIsLineStart, bytesFor);
    if (owned === 'tooLong') return { type: 'needsGeneralParser', start: job.from };
    if (owned.bytes.indexOf(QUOTE) >= 0) return { type: 'needsGeneralParser', start: owned.start };
    parsed = parsePlainLines(owned.bytes, job.layout, parserFor(job.layout), valuesFor);
    // Every line parsed has every field, so the key fields are there.
    if (job.keys && job.keys.length > 0) sliceKeys = new KeyCoder(job.keys, job.layout.delimiter, job.layout.width).codeLines(owned.bytes, parsed.rows);
  } catch (error) {
    if (error instanceof CsvLineError)
      return { type: 'error', line: error.line, reason: error.reason, ...(error.field !== undefined ? { field: error.field } : {}) };
    return { type: 'error', reason: message(error) };
  }
  // The job's fields are the K scores then the label: rows are scored where they were parsed.
  const { k } = job;
  const stride = k + 1;
  const labels = new Float64Array(parsed.rows);
  for (let i = 0; i < parsed.rows; i++) labels[i] = parsed.values[i * stride + k]!;
  try {
    // Rows count from 0 at the job's first row; the reader shifts what the block names.
    const block = scoreBlock(k, job.crossEntropy, labels, parsed.values, parsed.rows, 0, stride);
    return { type: 'reduced', block, labels, lines: parsed.lines, lineBreaks: parsed.lineBreaks, ...(sliceKeys ? { sliceKeys } : {}) };
  } catch (error) {
    if (error instanceof RowError) return { type: 'error', line: parsed.lines[error.row]!, reason: error.reason };
    return { type: 'error', reason: message(error) };
  }
}

function runTokensJob(job: Extract<ScoringJob, { type: 'tokens' }>): ScoringResult {
  const { from, to, vocabulary } = job;
  let values: TokenLogits;
  try {
    // bfloat16 and float16 in host order go to the kernel as they are, not widened here.
    values = isStored(job.logits)
      ? ((scoresHalves(vocabulary) ? readStoredHalves(job.logits, from * vocabulary, (to - from) * vocabulary, bytesFor) : undefined) ??
        typedValues(storedRows(job.logits, from * vocabulary, (to - from) * vocabulary)))
      : job.copied
        ? job.logits
        : job.logits.subarray(from * vocabulary, to * vocabulary);
  } catch (error) {
    if (error instanceof FileChangedError) return { type: 'error', reason: error.message };
    throw error;
  }
  try {
    const scores = scoreTokens({ logits: values, from, to, targets: job.targets }, vocabulary, job.length);
    return { type: 'tokens', scores, otherLosses: otherAlignmentLosses(values, vocabulary, job.targets, job.other, scores.nll) };
  } catch (error) {
    if (error instanceof TokenError) return { type: 'error', row: error.row, reason: error.reason };
    // Anything else (targets that did not come through alignTargets) is a fault of the caller:
    // it stops the thread, and the file is read again on one thread, which meets it too.
    throw error;
  }
}
