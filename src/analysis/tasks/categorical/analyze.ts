import { BinaryCrossEntropyState } from '../../../engine/binary';
import { detectPredictionKind, type ClassScores, type KindDecision, type PredictionKind } from '../../../engine/categorical';
import { binaryDerivation } from '../../../engine/derivations/binary';
import { classificationDerivation } from '../../../engine/derivations/classification';
import { conditionalMleDerivation } from '../../../engine/derivations/conditionalMle';
import { unconditionalMleDerivation } from '../../../engine/derivations/unconditionalMle';
import { BernoulliFitState } from '../../../engine/fits/bernoulliFit';
import type { CategoricalFitState } from '../../../engine/fits/categoricalFit';
import type { TemperatureFit } from '../../../engine/temperature';
import { firstMissingRow, isMissingRow } from '../../../engine/missingValues';
import { LN10, LOG_MIN_DOUBLE, scientificFromLog } from '../../../engine/logSpace';
import { RowError } from '../../../engine/rowError';
import { DataFileError } from '../../../readers/errors';
import { accuracyErrorBar, calibrationErrorBars, meanLossErrorBars } from '../../rows/errorBars';
import { fitParameterCurves } from '../fit/analyze';
import { consumeBatches, type ReducedBatch } from '../../rows/rowBatch';
import { missingRowsWarning } from '../../rows/missingRows';
import { DEFAULT_IGNORE_INDEX, type CrossEntropyOptions } from '../../../engine/crossEntropyLoss';
import { KIND_SAMPLE_ROWS } from '../../sizes';
import { CategoricalPass, crossEntropyOptionsFor, type CategoricalBatch } from './pass';
import { sameReduction, startBlocks } from '../../threads/startedBlocks';
import { MAX_SLICES, OTHER_SLICE, type SliceColumn } from '../../../engine/slices';
import type { AnalysisOptions, ClassificationAnalysis, ParameterCurve, PartialResult } from '../../results';

/** Labels and class scores from a file, whatever its format, delivered in batches in file order. */
export interface CategoricalInput {
  readonly fileName: string;
  readonly format: string;
  readonly k: number;
  /** In file order; the first KIND_SAMPLE_ROWS rows decide whether scores are probabilities, log-probabilities or logits. */
  readonly batches: Iterable<CategoricalBatch> | AsyncIterable<CategoricalBatch>;
  readonly targetName: string;
  readonly predictionNames: readonly string[];
  /** What the user can pick from for the roles (column or tensor names). */
  readonly choices: readonly string[];
  readonly rolesReason: string;
  /** How rows are named when there is no line: "row 12", "tensor 'logits' row 12". */
  readonly rowName: (row: number) => string;
  /** What the reader noticed without failing, shown first among the warnings. */
  readonly readerWarnings?: readonly string[];
  /** Called after each batch with the cross-entropy so far. */
  readonly onPartial?: (partial: PartialResult) => void;
  /**
   * Every row of the file, scored and reduced elsewhere (on other threads) once the pass has
   * decided how (the prediction kind and PyTorch's options), in file order. With it, `batches`
   * only show the pass the leading rows that decide the kind and sample the temperature.
   * Only for K > 1 classes.
   */
  readonly reducedRows?: (options: CrossEntropyOptions) => AsyncIterable<ReducedBatch>;
  /**
   * Leading rows the reader already holds (a CSV's sniffed sample, a tensor's first rows): with
   * `reducedRows`, the threads start on the kind these rows suggest while `batches` deliver the
   * rows that decide it, and start again in the rare file where the two differ.
   */
  readonly preview?: ClassScores;
  /** Text columns whose values group the rows; each batch then carries its rows' codes (sliceKeys). */
  readonly sliceColumns?: readonly SliceColumn[];
}

/** Splits in-memory rows into batches, so every input goes through the same streaming pass. */
export function* inMemoryBatches(
  labels: ArrayLike<number>,
  scores: ClassScores,
  lines?: ArrayLike<number>,
  size = KIND_SAMPLE_ROWS,
): Generator<CategoricalBatch> {
  const { n, k, values } = scores;
  for (let start = 0; start < n; start += size) {
    const end = Math.min(n, start + size);
    yield {
      labels: sliceOf(labels, start, end),
      scores: { n: end - start, k, values: values.subarray(start * k, end * k) },
      firstRow: start,
      ...(lines ? { lines: sliceOf(lines, start, end) } : {}),
    };
  }
}

/**
 * A binary batch as two classes: probabilities p become the log-probabilities
 * [log1p(-p), log p] (log1p keeps the digits of small p), logits z become [0, z], whose
 * softmax is [1 - sigmoid(z), sigmoid(z)].
 */
function asTwoClasses(batch: CategoricalBatch, kind: PredictionKind, strict: boolean): CategoricalBatch {
  const { n, values } = batch.scores;
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (kind === 'logits') {
      out[2 * i] = 0;
      out[2 * i + 1] = v;
    } else if (v !== v && !strict) {
      // Missing: the pass leaves the row out where it scores it.
      out[2 * i] = v;
      out[2 * i + 1] = v;
    } else {
      if (!(v >= 0 && v <= 1))
        throw new RowError(batch.firstRow + i, Number.isNaN(v) ? 'the probability is missing (NaN)' : `probability ${v} is outside [0, 1]`);
      out[2 * i] = Math.log1p(-v);
      out[2 * i + 1] = Math.log(v);
    }
  }
  return { ...batch, scores: { n, k: 2, values: out } };
}

/**
 * The binary cross-entropy of a batch, its rows with a missing label or prediction left out
 * (the runs between them consumed one by one, so rows keep their numbers) unless `strict`.
 */
function consumeBinary(state: BinaryCrossEntropyState, batch: CategoricalBatch, strict: boolean): void {
  const { labels, firstRow } = batch;
  const values = batch.scores.values;
  const n = batch.scores.n;
  if (strict || firstMissingRow(labels, values, n, 1) < 0) {
    state.consume({ labels, predictions: values, firstRow });
    return;
  }
  let start = 0;
  for (let i = 0; i <= n; i++) {
    if (i < n && !isMissingRow(labels, values, i, 1)) continue;
    if (i > start) state.consume({ labels: sliceOf(labels, start, i), predictions: values.subarray(start, i), firstRow: firstRow + start });
    start = i + 1;
  }
}

/** Labels 0 and 1 fitted as the Bernoulli they are, from their counts: a binary file's panel names no categorical model. */
function bernoulliFitOf(labels: CategoricalFitState) {
  const state = new BernoulliFitState();
  state.n = labels.n;
  state.ones = labels.counts[1] ?? 0;
  return state.fit();
}

function leadingRows(scores: ClassScores, rows: number): ClassScores {
  const n = Math.min(scores.n, rows);
  return { n, k: scores.k, values: scores.values.subarray(0, n * scores.k) };
}

function sliceOf(values: ArrayLike<number>, start: number, end: number): ArrayLike<number> {
  return ArrayBuffer.isView(values) ? (values as unknown as Float64Array).subarray(start, end) : Array.prototype.slice.call(values, start, end);
}

/** The categorical cross-entropy analysis: batches in, plain data for the panel and CLI out. */
export async function analyzeCategorical(input: CategoricalInput, options: AnalysisOptions = {}): Promise<ClassificationAnalysis> {
  const { fileName } = input;
  const binary = input.k === 1;
  // One prediction column is a binary classifier: read as two classes, the probability (or
  // logit) of class 1 against its complement, so the same pass measures it; the Bernoulli
  // state beside it gives the BCE in PyTorch's conventions and the binary derivation.
  const k = binary ? 2 : input.k;
  let binaryDecision: KindDecision | undefined;
  let binaryState: BinaryCrossEntropyState | undefined;
  let pass: CategoricalPass | undefined;
  const describe = (row: number) => {
    const line = pass?.lineOf(row);
    return line !== undefined ? `line ${line}` : input.rowName(row);
  };
  // Threads can start before the rows that decide the kind are read: on the kind asked for, or the one the preview suggests.
  const guess = input.reducedRows && !binary ? (options.kind ?? (input.preview ? detectPredictionKind(input.preview).kind : undefined)) : undefined;
  let threads = guess && input.reducedRows ? startBlocks(input.reducedRows, crossEntropyOptionsFor(guess, options)) : undefined;
  try {
    await consumeBatches(fileName, input.rowName, input.batches, (batch) => {
      if (binary) {
        binaryDecision ??=
          options.kind === 'logits' || options.kind === 'probs'
            ? { kind: options.kind, reason: `read as ${options.kind} as asked` }
            : detectPredictionKind(leadingRows(batch.scores, KIND_SAMPLE_ROWS));
        binaryState ??= new BinaryCrossEntropyState({ input: binaryDecision.kind === 'logits' ? 'logits' : 'probs' });
        consumeBinary(binaryState, batch, options.strictMissing === true);
        batch = asTwoClasses(batch, binaryDecision.kind, options.strictMissing === true);
        pass ??= new CategoricalPass(
          k,
          leadingRows(batch.scores, KIND_SAMPLE_ROWS),
          {
            ...options,
            kind: binaryDecision.kind === 'logits' ? 'logits' : 'logprobs',
          },
          input.sliceColumns,
        );
      } else pass ??= new CategoricalPass(k, leadingRows(batch.scores, KIND_SAMPLE_ROWS), options, input.sliceColumns);
      if (input.reducedRows) {
        pass.sampleTemperature(batch);
        return;
      }
      pass.push(batch);
      input.onPartial?.({ rows: pass.state.likelihood.count, crossEntropy: pass.state.likelihood.mean });
    });
    if (pass && input.reducedRows) {
      if (binary) throw new Error('reducedRows is for K > 1 classes');
      const started = pass;
      if (!threads || !sameReduction(threads.options, started.state.options)) {
        await threads?.close();
        threads = startBlocks(input.reducedRows, started.state.options);
      }
      // The temperature depends on the sample alone: fitted while the threads score the first blocks, not after the last.
      started.temperature();
      await consumeBatches(fileName, input.rowName, threads.blocks, (batch) => {
        started.pushReduced(batch);
        input.onPartial?.({ rows: started.state.likelihood.count, crossEntropy: started.state.likelihood.mean });
      });
    }
  } finally {
    await threads?.close();
  }
  if (!pass) throw new DataFileError(fileName, '', 'there are no rows to analyse');

  const done = pass;
  const { state, sketch } = done;
  const decision = binaryDecision ? { ...binaryDecision, detected: binaryDecision } : pass.decision;
  const likelihoodState = state.likelihood;
  const n = likelihoodState.count;
  const missing = pass.missing;
  if (n === 0)
    throw new DataFileError(
      fileName,
      '',
      missing.count > 0
        ? `every row has a missing value${state.ignored > 0 ? ' or the ignore index as label' : ''} (${missing.count} left out)`
        : state.ignored > 0
          ? `every row's label is the ignore index ${options.ignoreIndex ?? -100}`
          : 'there are no rows to analyse',
    );
  const list = (rows: readonly number[], count: number) => {
    const shown = rows.map(describe).join(', ');
    return count > rows.length ? `${shown} and ${count - rows.length} more` : shown;
  };

  const warnings: string[] = [...(input.readerWarnings ?? [])];
  if (options.kind === 'logits' && decision.detected.kind === 'probs' && k > 1) {
    warnings.push(
      'The predictions look like probabilities but are read as logits: softmax is applied to probabilities, which understates confidence (a common bug, pytorch#55902).',
    );
  }
  if (pass.notNormalisedCount > 0) {
    warnings.push(
      `${pass.notNormalisedCount} row(s) do not sum to 1 (${list(pass.notNormalisedRows, pass.notNormalisedCount)}); losses use the values as they are, without renormalising.`,
    );
  }
  if (likelihoodState.infiniteCount > 0) {
    warnings.push(
      `${likelihoodState.infiniteCount} row(s) give the true class probability 0, so the loss is infinite (${list(likelihoodState.infiniteRows, likelihoodState.infiniteCount)}).`,
    );
  }
  if (state.ignored > 0) warnings.push(`${state.ignored} row(s) have the ignore index ${options.ignoreIndex ?? -100} as label and are left out.`);
  if (missing.count > 0) warnings.push(missingRowsWarning(missing, describe));

  const logLikelihood = state.logLikelihood;
  const crossEntropy = likelihoodState.mean;
  const likelihood = scientificFromLog(logLikelihood);
  const typical = pass.typicalRow;
  const temperature = pass.temperature();
  const labelFit = binary ? bernoulliFitOf(pass.labelFit) : pass.labelFit.fit();
  const reliability = pass.reliability.table();
  const crossEntropyStdError = likelihoodState.standardError;
  const calibration = calibrationErrorBars(reliability);
  const parameterCurves: ParameterCurve[] = [];
  if (temperature) {
    const rows = temperature.rows;
    const curve = withFittedTemperature(temperature);
    parameterCurves.push({
      id: 'temperature',
      title: 'Log-likelihood against the temperature T of softmax(log q / T)',
      parameter: 'T',
      x: curve.temperature,
      logLikelihood: curve.crossEntropy.map((ce) => -rows * ce),
      averageNll: curve.crossEntropy,
      maxIndex: curve.maxIndex,
      note: `Fitted on ${rows === n ? 'all' : `the first ${rows.toLocaleString('en-US')}`} rows: T = ${temperature.temperature.toPrecision(6)} maximises the likelihood (cross-entropy ${temperature.crossEntropy.toPrecision(6)} against ${temperature.crossEntropyAtOne.toPrecision(6)} at T = 1).`,
    });
  }
  parameterCurves.push(
    ...fitParameterCurves(
      labelFit,
      'label-fit',
      (parameter) => `Log-likelihood of the labels alone against ${parameter}`,
      'The unconditional MLE of the label column: the class frequencies. The maximum of the log-likelihood and the minimum of the average NLL fall on the same value.',
    ),
  );
  const example = typical ?? { row: 0, line: undefined, label: 0, loss: crossEntropy };

  return {
    file: { name: fileName, format: input.format, rows: n + state.ignored + missing.count },
    task: binary ? 'binary' : 'categorical',
    roles: {
      target: input.targetName,
      predictions: input.predictionNames,
      kind: decision.kind,
      kindReason: decision.reason,
      reason: input.rolesReason,
      columns: input.choices,
    },
    ...(done.perClass
      ? {
          byClass: {
            classes: done.perClass.table(),
            method:
              'by the label: support, mean -log q(label) with std (ddof 1) / \u221asupport, recall with std(correct, ddof 1) / \u221asupport; by the top class: |precision \u2212 mean confidence| of the rows predicted as it',
          },
        }
      : {}),
    ...(done.slices && done.slices.columns.length > 0
      ? {
          bySlice: {
            columns: done.slices.tables(),
            method: `by the value of each text column (at most ${MAX_SLICES} values each, the most frequent in the first megabyte; any other value is "${OTHER_SLICE}"): rows, mean -log q(label) with std (ddof 1) / \u221arows, accuracy with std(correct, ddof 1) / \u221arows`,
          },
        }
      : {}),
    torchOptions: {
      ignoreIndex: state.options.ignoreIndex ?? DEFAULT_IGNORE_INDEX,
      ...(state.options.weight ? { weight: Array.from(state.options.weight) } : {}),
      ...(state.options.labelSmoothing ? { labelSmoothing: state.options.labelSmoothing } : {}),
    },
    summary: {
      n,
      ignored: state.ignored,
      classes: k,
      crossEntropy,
      torchCrossEntropy: state.mean,
      logLikelihood,
      log10Likelihood: logLikelihood / LN10,
      likelihoodMantissa: likelihood.mantissa,
      likelihoodExponent: likelihood.exponent,
      perplexity: Math.exp(crossEntropy),
      accuracy: state.accuracy,
      lossStandardDeviation: likelihoodState.standardDeviation,
      crossEntropyStdError,
      errorBars: {
        ...meanLossErrorBars(crossEntropy, crossEntropyStdError, { perplexity: true }),
        accuracy: accuracyErrorBar(likelihoodState.correct, n),
        expectedCalibrationError: calibration.errorBar,
      },
      calibrationNoiseFloor: calibration.noiseFloor,
      ...(temperature
        ? {
            temperature: {
              value: temperature.temperature,
              crossEntropy: temperature.crossEntropy,
              crossEntropyAtOne: temperature.crossEntropyAtOne,
              rows: temperature.rows,
              atBoundary: temperature.atBoundary,
            },
          }
        : {}),
      expectedCalibrationError: reliability.ece,
    },
    derivations: [
      binary && binaryState
        ? binaryDerivation(binaryState, `${input.targetName} against ${input.predictionNames.join(', ')}`)
        : classificationDerivation({
            n,
            k,
            logLikelihood,
            crossEntropy: state.oneHotCrossEntropy,
            likelihood,
            underflowRow: logLikelihood < LOG_MIN_DOUBLE ? sketch.underflowRow : undefined,
            example: {
              row: example.row,
              label: example.label,
              probability: Math.exp(-example.loss),
              loss: example.loss,
              where: example.line !== undefined ? `line ${example.line}` : input.rowName(example.row),
            },
            targetName: input.targetName,
            predictionNames: input.predictionNames,
          }),
      // The mean loss by another route than log L: the Bernoulli state's BCE, or the one-hot cross-entropy.
      conditionalMleDerivation({
        n,
        logLikelihood,
        meanLoss: binaryState ? binaryState.bce : state.oneHotCrossEntropy,
        modelName: `the predictions ${input.predictionNames.join(', ')}`,
      }),
      unconditionalMleDerivation(labelFit, input.targetName, 'the labels\u2019 fit is their count in each class, so its log-likelihood is already that sum'),
    ],
    plots: {
      parameterCurves,
      reliability: {
        bins: reliability.bins.map((bin) => ({
          ...bin,
          meanConfidence: Number.isNaN(bin.meanConfidence) ? null : bin.meanConfidence,
          accuracy: Number.isNaN(bin.accuracy) ? null : bin.accuracy,
        })),
        expectedCalibrationError: reliability.ece,
      },
      perSampleLoss: sketch.perSampleSeries(),
      runningMean: sketch.runningMean(),
      histogram: sketch.histogram(),
      worstRows: sketch.worstRows().map(({ row, loss }) => {
        const line = done.lineOf(row);
        return { row, ...(line !== undefined ? { line } : {}), loss, label: done.labelOf(row) ?? Number.NaN };
      }),
    },
    warnings,
    ...(done.rowLosses ? { rowLosses: { crossEntropy: done.rowLosses } } : {}),
    ...(done.rowLabels && done.rowPredicted ? { rowTargets: { labels: done.rowLabels, predicted: done.rowPredicted } } : {}),
  };
}

/**
 * The temperature curve with the fitted T put in its place, marked as the maximum: the plot, the
 * card and the slider then name one temperature. A T outside the plotted range (the fit stopped at
 * its bound) leaves the grid's best point marked, and the card says the fit is at the bound.
 */
function withFittedTemperature(fit: TemperatureFit): { temperature: number[]; crossEntropy: number[]; maxIndex: number } {
  const temperature = [...fit.curve.temperature];
  const crossEntropy = [...fit.curve.crossEntropy];
  const last = temperature.length - 1;
  if (last >= 0 && fit.temperature >= temperature[0]! && fit.temperature <= temperature[last]!) {
    const at = temperature.findIndex((t) => t >= fit.temperature);
    if (temperature[at] === fit.temperature) crossEntropy[at] = fit.crossEntropy;
    else {
      temperature.splice(at, 0, fit.temperature);
      crossEntropy.splice(at, 0, fit.crossEntropy);
    }
    return { temperature, crossEntropy, maxIndex: at };
  }
  const best = crossEntropy.reduce((bestIndex, value, index, all) => (value < all[bestIndex]! ? index : bestIndex), 0);
  return { temperature, crossEntropy, maxIndex: best };
}
