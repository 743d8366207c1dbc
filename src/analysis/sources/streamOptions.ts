import type { PartialResult } from '../results';
import type { ScoringPool } from '../threads/scoringPool';

/** How a source is read: progress, partial numbers and cancellation for the caller, threads to score on. */
export interface StreamOptions {
  readonly onProgress?: (fraction: number) => void;
  /** The classifier's numbers after each batch, for a view of a big file while it streams. */
  readonly onPartial?: (partial: PartialResult) => void;
  readonly signal?: AbortSignal;
  /** Threads to score a big file's rows on (started only for one); without them every row is scored on the calling thread. */
  readonly pool?: ScoringPool;
}
