import { basename } from 'node:path';
import { describeError } from '../readers/errors';
import { checkDataFile, type ReadOptions } from '../readers/readDataFile';
import { readTensorFile } from '../readers/readTensorFile';
import { summarizeTensorFile } from './tensorSummary';
import { decodeText } from '../readers/csv';
import { analyzeSource } from './analyzeFile';
import { findCsvProblems } from './csvProblems';
import { analyzeOnThreads } from './analyzeOnThreads';
import type { KeptScoringPool, ScoringThreads } from './scoringPool';
import type { AnalysisOutcome, PartialResult, WorkerRequest } from './workerMessages';

/** What the worker does with one request: never throws, always answers. */
export async function runAnalysis(request: WorkerRequest, onProgress?: (fraction: number, partial?: PartialResult) => void, threads?: ScoringThreads | KeptScoringPool): Promise<AnalysisOutcome> {
  const { source, options } = request;
  if (request.task === 'inspect') return inspect(request);
  let outcome: AnalysisOutcome;
  let partial: PartialResult | undefined;
  try {
    const stream = onProgress ? { onProgress: (fraction: number) => onProgress(fraction, partial), onPartial: (latest: PartialResult) => (partial = latest) } : {};
    outcome = { analysis: await analyzeOnThreads(source, options, readOptions(request), stream, threads), problems: [] };
  } catch (error) {
    outcome = { error: describeError(error), problems: [] };
  }
  if (request.wantProblems && source.kind === 'bytes') {
    try {
      return { ...outcome, problems: findCsvProblems(decodeText(source.bytes, source.name), source.name, options) };
    } catch {
      // Undecodable text: the analysis error already says so.
    }
  }
  return outcome;
}

/** The tensor view's content: every tensor summarised, and whether the loss panel can use the file. */
async function inspect(request: WorkerRequest): Promise<AnalysisOutcome> {
  if (request.source.kind !== 'path') return { error: 'only files on disk can be inspected', problems: [] };
  const path = request.source.path;
  try {
    const read = readOptions(request);
    await checkDataFile(path, read);
    const summary = summarizeTensorFile(await readTensorFile(path, read.limits), basename(path));
    const analysable = await analyzeSource(request.source, request.options, read).then(
      () => true,
      () => false,
    );
    return { summary, analysable, problems: [] };
  } catch (error) {
    return { error: describeError(error), problems: [] };
  }
}

/** The request's bounds on reading, leaving out those it does not set. */
function readOptions(request: WorkerRequest): ReadOptions {
  return { ...(request.maxBytes !== undefined ? { maxBytes: request.maxBytes } : {}), ...(request.limits ? { limits: request.limits } : {}) };
}
