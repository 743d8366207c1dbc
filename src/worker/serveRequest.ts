import { basename } from 'node:path';
import { describeError } from '../readers/errors';
import { checkDataFile, type ReadOptions } from '../readers/readDataFile';
import type { TensorFile } from '../readers/tensor';
import { findPartnerFile } from '../analysis/sources/tensorFile';
import type { AnalysisOptions, PartialResult } from '../analysis/results';
import { chooseRoles } from '../roles/chooseRoles';
import { hasClassifierPair, hasLanguageModelRoles } from '../roles/tensorRoles';
import { readTensorFile } from '../readers/readTensorFile';
import { summarizeTensorFile } from '../analysis/sources/tensorSummary';
import { decodeText } from '../readers/csv';
import { findCsvProblems } from '../analysis/sources/csvProblems';
import { analyzeOnThreads } from '../analysis/analyzeOnThreads';
import { languageModelAlternatives, languageModelSequence } from '../analysis/sources/languageModelTokens';
import type { KeptScoringPool, ScoringThreads } from '../analysis/threads/scoringPool';
import { compareInDetail } from '../analysis/compare';
import type { AnalysisSource } from '../analysis/sources/analyzeSource';
import type { AnalysisOutcome, WorkerRequest } from '../protocol/worker';

/** What the worker does with one request: never throws, always answers. */
export async function serveRequest(
  request: WorkerRequest,
  onProgress?: (fraction: number, partial?: PartialResult) => void,
  threads?: ScoringThreads | KeptScoringPool,
  signal?: AbortSignal,
): Promise<AnalysisOutcome> {
  const { source, options } = request;
  if (request.action === 'inspect') return inspect(request);
  if (request.action === 'sequence' || request.action === 'alternatives') return languageModelTokens(request, signal);
  if (request.action === 'compare') return compare(request, onProgress, threads, signal);
  let outcome: AnalysisOutcome;
  let partial: PartialResult | undefined;
  try {
    const stream = {
      ...(onProgress ? { onProgress: (fraction: number) => onProgress(fraction, partial), onPartial: (latest: PartialResult) => (partial = latest) } : {}),
      ...(signal ? { signal } : {}),
    };
    outcome = { analysis: await analyzeOnThreads(source, options, readOptions(request), stream, threads), problems: [] };
  } catch (error) {
    outcome = { error: describeError(error), problems: [] };
  }
  if (request.wantProblems && source.kind === 'bytes') {
    try {
      // The file's problems under the roles detected from it: a choice made in a panel is not a fault of the file.
      // Strictness about missing values is a setting, not a panel's choice.
      const strict = options.strictMissing ? { strictMissing: true } : {};
      return { ...outcome, problems: findCsvProblems(decodeText(source.bytes, source.name), source.name, strict) };
    } catch {
      // Undecodable text: the analysis error already says so.
    }
  }
  return outcome;
}

/**
 * Model A (`source`) against model B (`compareWith`): both analysed with the same options, one
 * after the other, each keeping every row's loss; the progress is A's first half, then B's.
 */
async function compare(
  request: WorkerRequest,
  onProgress?: (fraction: number) => void,
  threads?: ScoringThreads | KeptScoringPool,
  signal?: AbortSignal,
): Promise<AnalysisOutcome> {
  const { source, compareWith } = request;
  try {
    if (!compareWith) throw new Error("'compare' needs a second file");
    const options = { ...request.options, keepRowLosses: true };
    const analyze = (which: AnalysisSource, half: number) =>
      analyzeOnThreads(
        which,
        options,
        readOptions(request),
        { ...(onProgress ? { onProgress: (fraction: number) => onProgress((half + fraction) / 2) } : {}), ...(signal ? { signal } : {}) },
        threads,
      );
    const a = await analyze(source, 0);
    const b = await analyze(compareWith, 1);
    const names = request.names ?? { a: sourceName(source), b: sourceName(compareWith) };
    return { comparison: compareInDetail(a, b, {}, names), problems: [] };
  } catch (error) {
    return { error: describeError(error), problems: [] };
  }
}

const sourceName = (source: AnalysisSource): string => (source.kind === 'path' ? basename(source.path) : source.name);

/**
 * The tensor view's content: every tensor summarised, and whether the loss panel can use the
 * file. That is decided by the roles stage alone (a file, or a lone .npy with its partner beside
 * it, that has tensors to analyse), without reading the file a second time to analyse it.
 */
async function inspect(request: WorkerRequest): Promise<AnalysisOutcome> {
  if (request.source.kind !== 'path') return { error: 'only files on disk can be inspected', problems: [] };
  const path = request.source.path;
  try {
    const read = readOptions(request);
    await checkDataFile(path, read);
    const file = await readTensorFile(path, read.limits);
    const summary = summarizeTensorFile(file, basename(path));
    return { summary, analysable: await hasAnalysableRoles(path, file, request.options, read), problems: [] };
  } catch (error) {
    return { error: describeError(error), problems: [] };
  }
}

/** A language model's token view of one sequence, or its top tokens at one position, read from the file on demand. */
async function languageModelTokens(request: WorkerRequest, signal?: AbortSignal): Promise<AnalysisOutcome> {
  const { source, options, sequence, position } = request;
  try {
    if (sequence === undefined) throw new Error(`'${request.action}' needs a sequence`);
    if (request.action === 'sequence') return { tokenView: await languageModelSequence(source, options, sequence, readOptions(request), signal), problems: [] };
    if (position === undefined) throw new Error("'alternatives' needs a position");
    return { alternatives: await languageModelAlternatives(source, options, sequence, position, readOptions(request)), problems: [] };
  } catch (error) {
    return { error: describeError(error), problems: [] };
  }
}

async function hasAnalysableRoles(path: string, file: TensorFile, options: AnalysisOptions, read: ReadOptions): Promise<boolean> {
  const name = basename(path);
  try {
    if (hasClassifierPair(file, options)) return true;
    const partner = await findPartnerFile(path);
    if (partner !== undefined) {
      await checkDataFile(partner, read);
      // The partner's header says what it holds: its tensors are left in the file, not read.
      const other = await readTensorFile(partner, read.limits, { leaveInFileFrom: 0 });
      const merged = { ...file, tensors: [...file.tensors, ...other.tensors] };
      if (hasClassifierPair(merged, options) || hasLanguageModelRoles(merged, options)) return true;
    }
    chooseRoles({ kind: 'tensors', file }, name, options);
    return true;
  } catch {
    return false;
  }
}

/** The request's bounds on reading, leaving out those it does not set. */
function readOptions(request: WorkerRequest): ReadOptions {
  return { ...(request.maxBytes !== undefined ? { maxBytes: request.maxBytes } : {}), ...(request.limits ? { limits: request.limits } : {}) };
}
