import { choosePredictionKind } from '../../../engine/categorical';
import { predictionEntropyDerivation } from '../../../engine/derivations/predictionEntropy';
import { PredictionEntropyState } from '../../../engine/predictionEntropy';
import { DataFileError } from '../../../readers/errors';
import { KIND_SAMPLE_ROWS } from '../../sizes';
import { blockOf, consumeBatches } from '../../rows/rowBatch';
import { RowLossRecorder } from '../../rows/rowLossRecorder';
import type { TaskInput } from '../../rows/taskInput';
import type { AnalysisOptions, EntropyAnalysis } from '../../results';
import { normalErrorBar, perplexityErrorBar } from '../../../engine/uncertainty';

/**
 * Prediction rows with no labels: there is no likelihood to compute, but each row's entropy
 * H(q_i) says how unsure the model is, and its mean is the expected loss the model itself
 * predicts (the cross-entropy it would have if its own predictions were the truth).
 */
export async function analyzeEntropy(input: TaskInput, options: AnalysisOptions = {}): Promise<EntropyAnalysis> {
  const { fileName, roles } = input;
  const k = roles.predictions.length;
  let state: PredictionEntropyState | undefined;
  let kindReason = '';
  const losses = new RowLossRecorder(options.keepRowLosses === true);
  await consumeBatches(fileName, input.rowName, input.batches, (batch) => {
    const scores = blockOf(batch, k, 0, k);
    if (!state) {
      const decision = choosePredictionKind(blockOf({ ...batch, rows: Math.min(batch.rows, KIND_SAMPLE_ROWS) }, k, 0, k), options.kind);
      kindReason = decision.reason;
      state = new PredictionEntropyState(k, decision.kind);
    }
    losses.add(state.consume({ scores, firstRow: batch.firstRow }), batch);
  });
  const done = state as PredictionEntropyState | undefined;
  if (!done || done.entropy.count === 0) throw new DataFileError(fileName, '', 'there are no rows to analyse');
  const n = done.entropy.count;
  const entropy = done.mean;
  const entropyStdError = losses.standardError;
  return {
    file: { name: fileName, format: input.format, rows: n },
    task: 'entropy',
    roles: { predictions: roles.predictions, kind: done.kind, kindReason, reason: roles.reason, columns: input.choices },
    summary: {
      n,
      classes: k,
      entropy,
      maxEntropy: Math.log(k),
      perplexity: Math.exp(entropy),
      entropyStdError,
      errorBars: {
        entropy: normalErrorBar(
          entropy,
          entropyStdError,
          'standard error: std of per-row entropies (ddof 1) / \u221an; 95% interval: \u00b11.96 standard errors',
        ),
        perplexity: perplexityErrorBar(entropy, entropyStdError),
      },
    },
    derivations: [predictionEntropyDerivation(n, k, entropy)],
    plots: { parameterCurves: [], ...losses.plots() },
    warnings: [...(input.readerWarnings ?? [])],
    ...(losses.all ? { rowLosses: { entropy: losses.all } } : {}),
  };
}
