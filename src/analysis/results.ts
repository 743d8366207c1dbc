import type { PredictionKind } from '../engine/categorical';
import type { ScatterSample } from '../engine/comparison/comparisonPlots';
import type { PairedComparisonResult } from '../engine/comparison/pairedComparison';
import type { Derivation, IdentityCheck } from '../engine/derivation';
import type { ClassFigures } from '../engine/perClass';
import type { SliceFigures, SliceTable } from '../engine/slices';
import type { ErrorBar } from '../engine/uncertainty';
import type { Histogram, RunningMean, Series } from '../engine/series';
import type { Perplexities } from '../engine/tokens/perplexity';
import type { FitFamily, RoleOptions } from '../roles/vocabulary';

export type { ClassFigures, ErrorBar, SliceFigures, SliceTable };

/** The ECE a perfectly calibrated model would show by chance with the same rows per bin, and how it was computed. */
export interface CalibrationNoiseFloor {
  readonly value: number;
  readonly method: string;
}

/** What the user may choose, beyond the roles; anything left out is detected. */
export interface AnalysisOptions extends RoleOptions {
  readonly kind?: PredictionKind;
  /** PyTorch F.cross_entropy's options: per-class weights, the label to ignore (default -100), label smoothing. */
  readonly weight?: readonly number[];
  readonly ignoreIndex?: number;
  readonly labelSmoothing?: number;
  /** Regression: the fixed sigma of the Gaussian model (default 1). */
  readonly sigma?: number;
  /** Regression with a variance column: F.gaussian_nll_loss's full and eps. */
  readonly full?: boolean;
  readonly eps?: number;
  /**
   * Refuse a row with a missing value (NaN: a null, an empty cell) in a column the task reads,
   * instead of leaving it out of the loss with a warning that counts it.
   */
  readonly strictMissing?: boolean;
  /** Keep every row's loss (reduction='none'): memory grows with the file. */
  readonly keepRowLosses?: boolean;
  /** A language model's tokenizer.json, when it is not beside the file. */
  readonly tokenizer?: string;
}

export interface RowLoss {
  readonly row: number;
  /** 1-based line in a text file, for navigation; absent for tensors. */
  readonly line?: number;
  readonly loss: number;
}

export interface WorstRow extends RowLoss {
  readonly label: number;
}

export interface ParameterCurve {
  readonly id: string;
  readonly title: string;
  /** The parameter's name, in plain text with Unicode symbols ("T", "π₂" for pi_2), the same in the title and on the axis. */
  readonly parameter: string;
  readonly x: readonly number[];
  readonly logLikelihood: readonly number[];
  readonly averageNll: readonly number[];
  readonly maxIndex: number;
  readonly note: string;
}

export interface ReliabilityPlot {
  readonly bins: readonly {
    readonly lower: number;
    readonly upper: number;
    readonly count: number;
    readonly meanConfidence: number | null;
    readonly accuracy: number | null;
  }[];
  readonly expectedCalibrationError: number;
}

/** What reading the file again elsewhere needs (the Python snippet), beyond its name and format. */
export interface FileLayout {
  /** CSV/TSV: the field delimiter, whether numbers use a decimal comma, and whether the first row is data (the columns are then named 'column 1', ...). */
  readonly delimiter?: string;
  readonly decimalComma?: boolean;
  readonly headerless?: boolean;
  /** The file read beside it for what it lacks (labels.npy beside logits.npy), as a path from its folder. */
  readonly partner?: string;
}

/** What every task's analysis has: plain data, safe to post to a webview. */
interface AnalysisBase {
  readonly file: { readonly name: string; readonly format: string; readonly rows: number } & FileLayout;
  readonly derivations: readonly Derivation[];
  readonly warnings: readonly string[];
  /** Each row's loss in nats, in file order, when asked for (keepRowLosses); per value for a predicted variance. */
  readonly rowLosses?: Readonly<Record<string, readonly number[]>>;
  /** Each row's target and, for a classifier, its top class (-1 where ignored), kept with rowLosses: what comparing two files' rows checks. */
  readonly rowTargets?: RowTargets;
  /** An lm-evaluation-harness samples file: its metrics recomputed, beside what it and its results file store. */
  readonly lmEval?: LmEvalSummary;
}

/** Every task's summary has these, in nats: the mean NLL per row and the log-likelihood of the file. */
export interface SummaryBase {
  readonly n: number;
  /** Mean negative log-likelihood per row: the cross-entropy between the data and the model. */
  readonly crossEntropy: number;
  readonly logLikelihood: number;
  readonly log10Likelihood: number;
  /** std(per-row NLL, ddof 1) / sqrt n; NaN below two rows or when a loss is infinite. */
  readonly crossEntropyStdError: number;
  /** Each headline figure's standard error and 95% interval, by the summary field it belongs to ('logLikelihoodPerRow' for -crossEntropy), each saying how it was made. */
  readonly errorBars: Readonly<Record<string, ErrorBar>>;
}

/** Per-row loss plots, for tasks with a loss per row. */
export interface RowLossPlots {
  readonly perSampleLoss: Series;
  readonly runningMean: RunningMean;
  readonly histogram: Histogram;
  readonly worstRows: readonly RowLoss[];
}

/** Column (or tensor) names the user can pick from, and why these were picked. */
interface RolesBase {
  readonly reason: string;
  readonly columns: readonly string[];
  /** How the predictions are read, for tasks with class scores. */
  readonly kind?: PredictionKind;
}

/** Categorical or binary classification: labels against class scores. */
export interface ClassificationAnalysis extends AnalysisBase {
  readonly task: 'categorical' | 'binary';
  readonly roles: {
    readonly target: string;
    readonly predictions: readonly string[];
    readonly kind: PredictionKind;
    readonly kindReason: string;
    readonly reason: string;
    /** Numeric columns the user can pick from. */
    readonly columns: readonly string[];
  };
  /**
   * Each class with a label or a prediction: support, cross-entropy and recall with their standard
   * errors, and the calibration gap of the rows predicted as it; absent past MAX_CLASS_TABLE classes.
   */
  readonly byClass?: { readonly classes: readonly ClassFigures[]; readonly method: string };
  /** Per text column of the file (at most MAX_SLICE_COLUMNS): each slice's rows, cross-entropy and accuracy with their standard errors. */
  readonly bySlice?: { readonly columns: readonly SliceTable[]; readonly method: string };
  /** The options of F.cross_entropy behind torchCrossEntropy (and the ignore index behind crossEntropy). */
  readonly torchOptions: { readonly ignoreIndex: number; readonly weight?: readonly number[]; readonly labelSmoothing?: number };
  readonly summary: SummaryBase & {
    /** Rows left out because their label is the ignore index. */
    readonly ignored: number;
    /** F.cross_entropy with the options given (weights, smoothing); equals crossEntropy without them. */
    readonly torchCrossEntropy: number;
    readonly classes: number;
    readonly likelihoodMantissa: number;
    readonly likelihoodExponent: number;
    readonly perplexity: number;
    readonly accuracy: number;
    readonly lossStandardDeviation: number;
    /** Temperature scaling fitted on the first rows: the T minimising the cross-entropy of softmax(log q / T). */
    readonly temperature?: {
      readonly value: number;
      readonly crossEntropy: number;
      readonly crossEntropyAtOne: number;
      readonly rows: number;
      readonly atBoundary: boolean;
    };
    /** Expected calibration error, torchmetrics' definition with 15 bins. */
    readonly expectedCalibrationError: number;
    readonly calibrationNoiseFloor: CalibrationNoiseFloor;
  };
  readonly plots: {
    /** Log-likelihood (and average NLL) against a parameter, with the maximum marked. */
    readonly parameterCurves: readonly ParameterCurve[];
    readonly reliability?: ReliabilityPlot;
    readonly perSampleLoss: Series;
    readonly runningMean: RunningMean;
    readonly histogram: Histogram;
    readonly worstRows: readonly WorstRow[];
  };
}

/** Soft targets: K target probabilities against K predictions per row. */
export interface SoftAnalysis extends AnalysisBase {
  readonly task: 'soft';
  readonly roles: RolesBase & {
    readonly targets: readonly string[];
    readonly predictions: readonly string[];
    readonly kind: PredictionKind;
    readonly kindReason: string;
  };
  readonly summary: SummaryBase & {
    readonly classes: number;
    /** Mean H(p_i). */
    readonly entropy: number;
    /** Mean KL(p_i || q_i): F.kl_div(log q, p, reduction='batchmean'). */
    readonly kl: number;
    /** H(p,q) = H(p) + KL(p||q) on the sums, both sides computed independently. */
    readonly identity: IdentityCheck;
    readonly perplexity: number;
    readonly targetsNotNormalised: number;
    /** Per class (in the order of roles.targets), the mean over rows of -p_c log p_c and of p_c log(p_c / q_c). */
    readonly byClass: { readonly entropy: readonly number[]; readonly kl: readonly number[] };
  };
  readonly plots: RowLossPlots & { readonly parameterCurves: readonly ParameterCurve[] };
}

/** Regression: k targets against k predictions, with a fixed sigma or a predicted variance. */
export interface RegressionAnalysis extends AnalysisBase {
  readonly task: 'regression';
  readonly roles: RolesBase & { readonly targets: readonly string[]; readonly predictions: readonly string[]; readonly variance: readonly string[] };
  readonly summary: SummaryBase & {
    /** Output dimensions per row. */
    readonly outputs: number;
    /** F.mse_loss: the mean over all n k values. */
    readonly mse: number;
    readonly sumSquaredError: number;
    /** The fixed sigma of the Gaussian model; crossEntropy and logLikelihood are at it. */
    readonly sigma: number;
    /** Sum over rows of -log N(y_i; yhat_i, sigma^2 I), with the constant. */
    readonly gaussianNll: number;
    /** sqrt(MSE): the sigma that maximises the likelihood. */
    readonly sigmaMle: number;
    readonly logLikelihoodAtSigmaMle: number;
    /** F.gaussian_nll_loss with the variance column, when there is one. */
    readonly predictedVariance?: {
      readonly full: boolean;
      readonly eps: number;
      readonly mean: number;
      readonly sum: number;
      readonly values: number;
      readonly clamped: number;
    };
  };
  readonly plots: RowLossPlots & { readonly parameterCurves: readonly ParameterCurve[] };
}

/** An unconditional maximum-likelihood fit of one column. */
export interface FitAnalysis extends AnalysisBase {
  readonly task: 'fit';
  readonly roles: RolesBase & { readonly target: string; readonly dist: FitFamily; readonly distReason: string };
  readonly summary: SummaryBase & {
    readonly dist: FitFamily;
    /** Named as the family names them: theta; probabilities; mu and sigma; lambda. */
    readonly estimates: {
      readonly theta?: number;
      readonly probabilities?: readonly number[];
      readonly mu?: number;
      readonly sigma?: number;
      readonly lambda?: number;
    };
  };
  readonly plots: { readonly parameterCurves: readonly ParameterCurve[] };
}

/** Everything the panel and the CLI show for one file, by task. */
/** Prediction rows with no labels: their entropy, not a likelihood. */
export interface EntropyAnalysis extends AnalysisBase {
  readonly task: 'entropy';
  readonly roles: RolesBase & { readonly predictions: readonly string[]; readonly kind: PredictionKind; readonly kindReason: string };
  readonly summary: {
    readonly n: number;
    readonly classes: number;
    /** Mean H(q_i) over the rows, nats. */
    readonly entropy: number;
    /** log K, the entropy of the uniform prediction. */
    readonly maxEntropy: number;
    readonly perplexity: number;
    /** std(per-row entropy, ddof 1) / sqrt n. */
    readonly entropyStdError: number;
    readonly errorBars: Readonly<Record<string, ErrorBar>>;
  };
  readonly plots: RowLossPlots & { readonly parameterCurves: readonly ParameterCurve[] };
}

/** One scored position of a sequence, as the token view shows it. */
export interface TokenLoss {
  readonly position: number;
  /** The target token id this position scores. */
  readonly id: number;
  /** Its decoded text when a tokenizer was found; absent otherwise (the view shows the id). */
  readonly text?: string;
  /** -log p(token | prefix), nats. */
  readonly loss: number;
  /** 1 + the number of vocabulary entries the model ranked strictly above the token. */
  readonly rank: number;
}

/** A sequence of the dump, for the sequence table. */
export interface SequenceLoss {
  readonly sequence: number;
  readonly tokens: number;
  /** Sum of -log p over its scored tokens, nats. */
  readonly nll: number;
  /** exp(nll / tokens). */
  readonly perplexity: number;
}

/** A language model's token-level likelihood: logits [B, T, V] (or per-token log-probabilities [B, T]) against targets [B, T]. */
export interface LanguageModelAnalysis extends AnalysisBase {
  readonly task: 'lm';
  readonly roles: {
    readonly reason: string;
    /** Tensors the user can pick from. */
    readonly columns: readonly string[];
    /** The [B, T, V] logits or the [B, T] per-token log-probabilities. */
    readonly predictions: string;
    readonly predictionKind: 'logits' | 'token-logprobs';
    readonly target: string;
    readonly mask?: string;
    readonly shape: { readonly batch: number; readonly length: number; readonly vocabulary?: number };
    /** Position t scores target t + 1 (Hugging Face causal LMs) when true, target t when false. */
    readonly shift: boolean;
    readonly shiftReason: string;
    readonly ignoreIndex: number;
    /** The tokenizer.json that decoded the tokens, when one was found or given. */
    readonly tokenizer?: string;
  };
  /** n is the number of scored tokens; the perplexities are the engine's, with their definitions. */
  readonly summary: SummaryBase &
    Perplexities & {
      readonly likelihoodMantissa: number;
      readonly likelihoodExponent: number;
      /** Top-1 accuracy of the next token (logits only). */
      readonly accuracy?: number;
      /** Mean entropy of the predicted distributions, nats (logits only). */
      readonly meanEntropy?: number;
      /** ECE of the top-1 probability, 15 equal-width bins (logits only). */
      readonly expectedCalibrationError?: number;
      readonly calibrationNoiseFloor?: CalibrationNoiseFloor;
      /**
       * The cross-entropy's standard error with the sequences as clusters (tokens of one sequence
       * are correlated): std over sequences of (NLL sum - CE x tokens), ddof 1, / (mean tokens x sqrt sequences).
       */
      readonly crossEntropyClusteredStdError: number;
      /** The cross-entropy with the other alignment, for the off-by-one check (logits only). */
      readonly otherAlignmentCrossEntropy?: number;
      /** Each figure's definition, in the words the panel shows beside it. */
      readonly definitions: Readonly<Record<string, string>>;
    };
  /** Every sequence (at most MAX_LISTED_SEQUENCES, the worst first when there are more). */
  readonly sequences: readonly SequenceLoss[];
  readonly plots: {
    /** Mean loss at each position t (nats), over the sequences scored there. */
    readonly lossByPosition: { readonly position: readonly number[]; readonly meanLoss: readonly number[]; readonly count: readonly number[] };
    readonly sequencePerplexityHistogram: Histogram;
    /** The running mean of the token losses in file order: the law of large numbers at work. */
    readonly runningMean: RunningMean;
    readonly reliability?: ReliabilityPlot;
    /** The highest-loss tokens of the file. */
    readonly worstTokens: readonly (TokenLoss & { readonly sequence: number })[];
  };
  /** The token view of one sequence (the worst one at first); others are asked for by sequence. */
  readonly tokenView: { readonly sequence: number; readonly tokens: readonly TokenLoss[] };
}

/**
 * The model's most probable tokens at one position of one sequence, read from the logits on
 * demand (one position's V logits, by byte range): what the token view's hover shows.
 */
export interface TokenAlternatives {
  readonly sequence: number;
  readonly position: number;
  readonly target: { readonly id: number; readonly text?: string; readonly probability: number; readonly rank: number };
  readonly top: readonly { readonly id: number; readonly text?: string; readonly probability: number }[];
}

/** lm-eval's output types a samples file can hold. */
export type LmEvalOutputType = 'multiple_choice' | 'loglikelihood_rolling' | 'generate_until';

/** A per-document metric aggregated: lm-eval's name (acc, acc_norm, word_perplexity, ...), recomputed from the responses, the mean of the values the file stores, and the results file's. */
export interface LmEvalMetric {
  readonly name: string;
  readonly value: number;
  /** mean_stderr; null where lm-eval writes "N/A" (the perplexities, fewer than two documents). */
  readonly stderr: number | null;
  /** The aggregation of the per-document values stored in the samples file; null when none are stored. */
  readonly stored: number | null;
  /** The results file's "<name>,<filter>" and "<name>_stderr,<filter>", when one was found. */
  readonly reported?: number | string | null;
  readonly reportedStderr?: number | string | null;
  /** Documents whose stored value differs from the one recomputed: how many, and the first doc_ids. */
  readonly differing: number;
  readonly differingDocuments: readonly number[];
}

export interface LmEvalDocument {
  readonly docId: number;
  readonly line: number;
  /** The stored metric values of a generation task, or the three perplexities of a rolling one. */
  readonly values: Readonly<Record<string, number | string>>;
}

/** A multiple-choice document as the panel's document view shows it. */
export interface LmEvalChoiceDocument {
  readonly docId: number;
  readonly line: number;
  /** Its row among the documents with one gold choice (the rows of the worst-rows list); absent for the others. */
  readonly row?: number;
  readonly question?: string;
  /** The first choices (at most LM_EVAL_CHOICES_SHOWN), each text cut short. */
  readonly choices: readonly string[];
  readonly logLikelihoods: readonly number[];
  /** The softmax of all the choices' log-likelihoods, for the choices kept. */
  readonly probabilities: readonly number[];
  /** How many choices the document has (more than those kept when it has very many). */
  readonly choiceCount: number;
  /** An index, several, or -100 when the target is not among the choices. */
  readonly gold: number | readonly number[];
  /** The choice of largest log-likelihood: lm-eval's prediction for acc. */
  readonly argmax: number;
}

export interface LmEvalSummary {
  /** From the file name samples_<task>_<date>.jsonl (or the task the results file names). */
  readonly task: string;
  readonly outputType: LmEvalOutputType;
  readonly filter: string;
  readonly documents: number;
  readonly metrics: readonly LmEvalMetric[];
  /** The results file read beside the samples, by name. */
  readonly resultsFile?: string;
  /** Every "<metric>,<filter>" entry of the task in the results file, as stored. */
  readonly reported?: Readonly<Record<string, number | string | null>>;
  /** Rolling and generation tasks: the first documents with their values (at most LM_EVAL_DOCUMENTS_SHOWN). */
  readonly documentList: readonly LmEvalDocument[];
  /** Multiple choice: the question text of the worst documents, by row. */
  readonly questions?: Readonly<Record<number, string>>;
  /** Multiple choice: the first documents and the worst ones, with their choices, for the document view. */
  readonly choiceDocuments?: readonly LmEvalChoiceDocument[];
}

/** A rolling log-likelihood or a generation task's samples: the loss per document is -log-likelihood (none for generations). */
export interface EvalAnalysis extends AnalysisBase {
  readonly task: 'eval';
  readonly roles: RolesBase;
  /** The likelihood fields are NaN for a generation task: it has none. */
  readonly summary: SummaryBase & { readonly hasLikelihood: boolean };
  readonly plots: RowLossPlots & { readonly parameterCurves: readonly ParameterCurve[] };
  readonly lmEval: LmEvalSummary;
}

export type Analysis = ClassificationAnalysis | SoftAnalysis | RegressionAnalysis | FitAnalysis | EntropyAnalysis | LanguageModelAnalysis | EvalAnalysis;

/** The one number that stands for an analysis (status bar, running mean): the mean loss per row, or the mean entropy when there are no labels. */
export function headline(analysis: Analysis): { readonly label: string; readonly short: string; readonly value: number } {
  switch (analysis.task) {
    case 'entropy':
      return { label: 'mean entropy of the predictions', short: 'H', value: analysis.summary.entropy };
    case 'regression':
      return { label: 'Gaussian NLL per row', short: 'NLL', value: analysis.summary.crossEntropy };
    case 'fit':
      return { label: 'average NLL', short: 'NLL', value: analysis.summary.crossEntropy };
    case 'binary':
      return { label: 'binary cross-entropy', short: 'BCE', value: analysis.summary.crossEntropy };
    case 'lm':
      return { label: 'cross-entropy per token', short: 'CE', value: analysis.summary.crossEntropy };
    case 'eval':
      return { label: 'negative log-likelihood per document', short: 'NLL', value: analysis.summary.crossEntropy };
    default:
      return { label: 'cross-entropy', short: 'CE', value: analysis.summary.crossEntropy };
  }
}

export const isClassification = (analysis: Analysis): analysis is ClassificationAnalysis => analysis.task === 'categorical' || analysis.task === 'binary';

/** Each row's target and, for a classifier, its top class (-1 for an ignored row), in file order. */
export interface RowTargets {
  /** `width` values a row (soft targets' distributions, regression's outputs), one for a label. */
  readonly labels: readonly number[];
  readonly width?: number;
  /** The label of a position nothing scores (a language model's padding and last token): left out of a comparison. */
  readonly unscored?: number;
  readonly predicted?: readonly number[];
}

/**
 * Model A (the first file) against model B (the second) on the same rows, in nats. Every
 * difference is A minus B: a negative crossEntropyDifference, or a positive logLikelihoodRatio
 * (log L_A - log L_B = -n x crossEntropyDifference), favours A. The engine's paired figures,
 * with the classifiers' correctness flattened, the files, and the rows left out.
 */
export interface Comparison extends Omit<PairedComparisonResult, 'correctness'> {
  readonly fileA: string;
  readonly fileB: string;
  readonly task: Analysis['task'];
  /** The per-row loss compared, by its name in the task's report. */
  readonly loss: string;
  /** Rows left out because their label is the ignore index or a value is missing (in either file), or positions a language model's loss does not score (in both files). */
  readonly ignored: number;
  /** Classifiers: top-class accuracy of each, the rows that flipped, and McNemar's exact test on them. */
  readonly accuracyA?: number;
  readonly accuracyB?: number;
  readonly bothRight?: number;
  readonly bothWrong?: number;
  readonly flippedRightToWrong?: number;
  readonly flippedWrongToRight?: number;
  /** The first rows (0-based) A got right and B wrong, and the reverse. */
  readonly flippedRightToWrongRows?: readonly number[];
  readonly flippedWrongToRightRows?: readonly number[];
  readonly mcnemarPValue?: number;
  readonly mcnemarLog10PValue?: number;
  readonly warnings: readonly string[];
}

/** What a comparison panel shows: the figures, the derivation with the files' numbers, and its plots. */
export interface ComparisonDetail {
  readonly comparison: Comparison;
  readonly derivation: Derivation;
  readonly plots: {
    /** Loss A against loss B, at most 4,000 rows, the extremes kept. */
    readonly scatter: ScatterSample;
    /** The per-row differences A - B. */
    readonly histogram: Histogram;
    /** The mean difference over the first n rows, with its 95% normal band. */
    readonly runningMean: RunningMean;
  };
}

/** The numbers so far of a pass still reading: shown while a big file streams in. */
export interface PartialResult {
  readonly rows: number;
  /** Mean negative log-likelihood of the rows read so far, nats. */
  readonly crossEntropy: number;
}
