import { entropyKlDerivation } from '../../../engine/derivations/entropyKl';
import { checkIdentity } from '../../../engine/derivation';
import { DataFileError } from '../../../readers/errors';
import { KIND_SAMPLE_ROWS } from '../../sizes';
import { summaryBase } from '../../rows/summaryBase';
import type { TaskInput } from '../../rows/taskInput';
import { blockOf, consumeBatches } from '../../rows/rowBatch';
import { SoftPass } from './pass';
import type { AnalysisOptions, SoftAnalysis } from '../../results';

/** Soft targets p against predictions q: cross-entropy, entropy, KL and the identity joining them. */
export async function analyzeSoft(input: TaskInput, options: AnalysisOptions = {}): Promise<SoftAnalysis> {
  const { fileName, roles } = input;
  const k = roles.targets.length;
  let pass: SoftPass | undefined;
  await consumeBatches(fileName, input.rowName, input.batches, (batch) => {
    if (!pass) {
      const sample = blockOf({ ...batch, rows: Math.min(batch.rows, KIND_SAMPLE_ROWS) }, 2 * k, k, k);
      pass = new SoftPass(k, sample, options);
    }
    pass.push(batch);
  });
  const done = pass as SoftPass | undefined;
  if (!done || done.state.count === 0) throw new DataFileError(fileName, '', 'there are no rows to analyse');
  const { state } = done;
  const n = state.count;
  const warnings = [...(input.readerWarnings ?? [])];
  if (state.targetsNotNormalised > 0)
    warnings.push(
      `${state.targetsNotNormalised} target row(s) do not sum to 1; H(p,q) = H(p) + KL(p||q) still holds row by row, but p is not a distribution there.`,
    );
  const base = summaryBase(n, -state.crossEntropySum.value, done.losses.standardError, { perplexity: true });
  return {
    file: { name: fileName, format: input.format, rows: n },
    task: 'soft',
    roles: {
      targets: roles.targets,
      predictions: roles.predictions,
      kind: done.decision.kind,
      kindReason: done.decision.reason,
      reason: roles.reason,
      columns: input.choices,
    },
    summary: {
      ...base,
      crossEntropy: state.crossEntropy,
      classes: k,
      entropy: state.entropy,
      kl: state.klBatchmean,
      identity: checkIdentity('sum H(p,q) = sum H(p) + sum KL(p||q)', state.crossEntropySum.value, state.entropySum.value + state.klSum.value),
      perplexity: Math.exp(state.crossEntropy),
      targetsNotNormalised: state.targetsNotNormalised,
      byClass: { entropy: state.entropyByClass.map((sum) => sum.value / n), kl: state.klByClass.map((sum) => sum.value / n) },
    },
    derivations: [entropyKlDerivation(state)],
    plots: { parameterCurves: [], ...done.losses.plots() },
    warnings,
    ...(done.losses.all ? { rowLosses: { crossEntropy: done.losses.all, entropy: done.entropies!, kl: done.divergences! } } : {}),
    ...(done.rowTargets ? { rowTargets: { labels: done.rowTargets, width: done.k } } : {}),
  };
}
