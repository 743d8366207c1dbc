import type { AnalysisSource } from './analyzeFile';
import type { ReadLimits } from '../readers/limits';
import type { TextProblem } from './csvProblems';
import type { TensorFileSummary } from './tensorSummary';
import type { Analysis, AnalysisOptions } from './types';

/** Messages between the extension host and its analysis worker thread. */
export interface WorkerRequest {
  readonly id: number;
  /** 'analyze': the loss analysis; 'inspect': the tensor view's summary of every tensor. */
  readonly task?: 'analyze' | 'inspect';
  readonly source: AnalysisSource;
  readonly options: AnalysisOptions;
  readonly maxBytes?: number;
  readonly limits?: ReadLimits;
  /** Also list every problem with its place, for the Problems view (text sources only). */
  readonly wantProblems?: boolean;
}

/** An analysis, or the one-line reason there is none; and the problems found, either way. */
export interface AnalysisOutcome {
  readonly analysis?: Analysis;
  /** For 'inspect': each tensor's statistics, and whether the file holds predictions with labels. */
  readonly summary?: TensorFileSummary;
  readonly analysable?: boolean;
  readonly error?: string;
  readonly problems: readonly TextProblem[];
}

/** The numbers so far of a pass still reading: shown while a big file streams in. */
export interface PartialResult {
  readonly rows: number;
  /** Mean negative log-likelihood of the rows read so far, nats. */
  readonly crossEntropy: number;
}

/** The outcome of a request, or how far it has got (share of the file read, and the numbers so far). */
export type WorkerReply =
  | ({ readonly id: number; readonly type: 'done' } & AnalysisOutcome)
  | { readonly id: number; readonly type: 'progress'; readonly fraction: number; readonly partial?: PartialResult };
