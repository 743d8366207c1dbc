import type { PredictionKind } from '../engine/categorical';
import type { Derivation } from '../engine/derivation';
import type { Histogram, RunningMean, Series } from '../engine/series';

export type Task = 'categorical' | 'binary';

/** What the user may choose; anything left out is detected. */
export interface AnalysisOptions {
  readonly target?: string;
  readonly predictions?: readonly string[];
  readonly kind?: PredictionKind;
  /** PyTorch F.cross_entropy's options: per-class weights, the label to ignore (default -100), label smoothing. */
  readonly weight?: readonly number[];
  readonly ignoreIndex?: number;
  readonly labelSmoothing?: number;
  /** Fixed standard deviation of the Gaussian negative log-likelihood, for regression. */
  readonly sigma?: number;
}

export interface WorstRow {
  readonly row: number;
  /** 1-based line in a text file, for navigation; absent for tensors. */
  readonly line?: number;
  readonly loss: number;
  readonly label: number;
}

export interface ParameterCurve {
  readonly id: string;
  readonly title: string;
  /** The parameter's name, in plain text ("T", "pi_2"). */
  readonly parameter: string;
  readonly x: readonly number[];
  readonly logLikelihood: readonly number[];
  readonly averageNll: readonly number[];
  readonly maxIndex: number;
  readonly note: string;
}

export interface ReliabilityPlot {
  readonly bins: readonly { readonly lower: number; readonly upper: number; readonly count: number; readonly meanConfidence: number | null; readonly accuracy: number | null }[];
  readonly expectedCalibrationError: number;
}

/** Everything the panel and the CLI show for one file: plain data, safe to post to a webview. */
export interface Analysis {
  readonly file: { readonly name: string; readonly format: string; readonly rows: number };
  readonly task: Task;
  readonly roles: {
    readonly target: string;
    readonly predictions: readonly string[];
    readonly kind: PredictionKind;
    readonly kindReason: string;
    readonly reason: string;
    /** Numeric columns the user can pick from. */
    readonly columns: readonly string[];
  };
  readonly summary: {
    readonly n: number;
    /** Rows left out because their label is the ignore index. */
    readonly ignored: number;
    /** F.cross_entropy with the options given (weights, smoothing); equals crossEntropy without them. */
    readonly torchCrossEntropy: number;
    readonly classes: number;
    /** Mean negative log-likelihood, nats. */
    readonly crossEntropy: number;
    /** Sum of log q(y_i|x_i), nats. */
    readonly logLikelihood: number;
    readonly log10Likelihood: number;
    readonly likelihoodMantissa: number;
    readonly likelihoodExponent: number;
    readonly perplexity: number;
    readonly accuracy: number;
    readonly lossStandardDeviation: number;
    /** Temperature scaling fitted on the first rows: the T minimising the cross-entropy of softmax(log q / T). */
    readonly temperature?: { readonly value: number; readonly crossEntropy: number; readonly crossEntropyAtOne: number; readonly rows: number; readonly atBoundary: boolean };
    /** Expected calibration error, torchmetrics' definition with 15 bins. */
    readonly expectedCalibrationError: number;
  };
  readonly derivations: readonly Derivation[];
  readonly plots: {
    /** Log-likelihood (and average NLL) against a parameter, with the maximum marked. */
    readonly parameterCurves: readonly ParameterCurve[];
    readonly reliability?: ReliabilityPlot;
    readonly perSampleLoss: Series;
    readonly runningMean: RunningMean;
    readonly histogram: Histogram;
    readonly worstRows: readonly WorstRow[];
  };
  readonly warnings: readonly string[];
}
