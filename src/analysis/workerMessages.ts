import type { AnalysisSource } from './analyzeFile';
import type { Analysis, AnalysisOptions } from './types';

/** Messages between the extension host and its analysis worker thread. */
export interface WorkerRequest {
  readonly id: number;
  readonly source: AnalysisSource;
  readonly options: AnalysisOptions;
  readonly maxBytes?: number;
}

export type WorkerReply =
  | { readonly id: number; readonly type: 'result'; readonly analysis: Analysis }
  | { readonly id: number; readonly type: 'error'; readonly message: string };
