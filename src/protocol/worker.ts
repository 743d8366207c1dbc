import type { AnalysisSource } from '../analysis/sources/analyzeSource';
import type { ReadLimits } from '../readers/limits';
import type { TextProblem } from '../analysis/sources/csvProblems';
import type { TensorFileSummary } from '../analysis/sources/tensorSummary';
import type { Analysis, AnalysisOptions, ComparisonDetail, LanguageModelAnalysis, PartialResult, TokenAlternatives } from '../analysis/results';

/** Messages between the extension host and its analysis worker thread. */
export interface WorkerRequest {
  readonly id: number;
  /**
   * 'analyze': the loss analysis; 'inspect': the tensor view's summary of every tensor;
   * 'sequence': a language model's token view of one sequence; 'alternatives': the model's top
   * tokens at one position (both read from the file on demand, with the same options);
   * 'compare': `source` (model A) against `compareWith` (model B) on the same rows.
   */
  readonly action?: 'analyze' | 'inspect' | 'sequence' | 'alternatives' | 'compare';
  /** For 'compare': the second file, read with the same options. */
  readonly compareWith?: AnalysisSource;
  /** For 'compare': how the two files are named in the figures and errors (two files may share a name in different folders). */
  readonly names?: { readonly a: string; readonly b: string };
  /** For 'sequence' and 'alternatives'. */
  readonly sequence?: number;
  /** For 'alternatives'. */
  readonly position?: number;
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
  /** For 'sequence'. */
  readonly tokenView?: LanguageModelAnalysis['tokenView'];
  /** For 'alternatives'. */
  readonly alternatives?: TokenAlternatives;
  /** For 'compare'. */
  readonly comparison?: ComparisonDetail;
  readonly error?: string;
  readonly problems: readonly TextProblem[];
}

/** What the host sends: a request to run, or the cancellation of one (queued or running). */
export type WorkerMessage = ({ readonly type: 'run' } & WorkerRequest) | { readonly type: 'cancel'; readonly id: number };

/** The outcome of a request, or how far it has got (share of the file read, and the numbers so far). */
export type WorkerReply =
  | ({ readonly id: number; readonly type: 'done' } & AnalysisOutcome)
  /** A cancelled request has stopped: the worker is free for the next one. */
  | { readonly id: number; readonly type: 'cancelled' }
  | { readonly id: number; readonly type: 'progress'; readonly fraction: number; readonly partial?: PartialResult };
