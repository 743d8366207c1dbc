import { describeError } from '../readers/errors';
import { decodeText } from '../readers/csv';
import { analyzeSource } from './analyzeFile';
import { findCsvProblems } from './csvProblems';
import type { AnalysisOutcome, WorkerRequest } from './workerMessages';

/** What the worker does with one request: never throws, always answers. */
export async function runAnalysis(request: WorkerRequest, onProgress?: (fraction: number) => void): Promise<AnalysisOutcome> {
  const { source, options } = request;
  let outcome: AnalysisOutcome;
  try {
    const analysis = await analyzeSource(source, options, request.maxBytes !== undefined ? { maxBytes: request.maxBytes } : {}, onProgress ? { onProgress } : {});
    outcome = { analysis, problems: [] };
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
