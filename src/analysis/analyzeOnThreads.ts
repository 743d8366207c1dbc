import type { ReadOptions } from '../readers/readDataFile';
import { analyzeSource, type AnalysisSource } from './sources/analyzeSource';
import type { StreamOptions } from './sources/streamOptions';
import { KeptScoringPool, ScoringPool, ScoringThreadError, type ScoringThreads } from './threads/scoringPool';
import type { Analysis, AnalysisOptions } from './results';

/**
 * analyzeSource with scoring threads for a big file on disk: those of a kept pool, or a pool of
 * its own, stopped when it is done. Threads are a way to be fast, never a reason to fail: if one
 * fails (out of memory, say), the file is analysed again on this thread alone.
 */
export async function analyzeOnThreads(
  source: AnalysisSource,
  options: AnalysisOptions,
  read: ReadOptions,
  stream: StreamOptions,
  threads: ScoringThreads | KeptScoringPool | undefined,
): Promise<Analysis> {
  if (!threads || source.kind !== 'path') return analyzeSource(source, options, read, stream);
  const pool = threads instanceof KeptScoringPool ? threads.get() : new ScoringPool(threads);
  try {
    return await analyzeSource(source, options, read, { ...stream, pool });
  } catch (error) {
    if (!(error instanceof ScoringThreadError)) throw error;
  } finally {
    if (!(threads instanceof KeptScoringPool)) await pool.close();
  }
  return analyzeSource(source, options, read, stream);
}
