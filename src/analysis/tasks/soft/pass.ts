import { choosePredictionKind, type ClassScores, type KindDecision } from '../../../engine/categorical';
import { SoftTargetState } from '../../../engine/softTargets';
import { blockOf, type RowBatch } from '../../rows/rowBatch';
import { RowLossRecorder } from '../../rows/rowLossRecorder';
import type { AnalysisOptions } from '../../results';

/**
 * One pass of the soft-target losses over batches laid out [p_1..p_K | q_1..q_K]: H(p,q),
 * H(p) and KL(p||q) summed separately per row (so the identity between them is a real check),
 * with the per-row cross-entropies for the plots.
 */
export class SoftPass {
  readonly state: SoftTargetState;
  readonly decision: KindDecision;
  readonly losses: RowLossRecorder;
  /** Each row's H(p) and KL(p||q), kept only for reduction='none'. */
  readonly entropies: number[] | undefined;
  readonly divergences: number[] | undefined;
  /** Each row's target distribution, flattened, kept with the row losses: what a comparison of two files checks. */
  readonly rowTargets: number[] | undefined;

  constructor(
    readonly k: number,
    samplePredictions: ClassScores,
    options: AnalysisOptions,
  ) {
    this.decision = choosePredictionKind(samplePredictions, options.kind);
    const { kind } = this.decision;
    this.state = new SoftTargetState(k, {
      kind,
      ...(options.weight ? { weight: options.weight } : {}),
      ...(options.labelSmoothing !== undefined ? { labelSmoothing: options.labelSmoothing } : {}),
    });
    this.losses = new RowLossRecorder(options.keepRowLosses === true);
    this.entropies = options.keepRowLosses ? [] : undefined;
    this.divergences = options.keepRowLosses ? [] : undefined;
    this.rowTargets = options.keepRowLosses ? [] : undefined;
  }

  push(batch: RowBatch): void {
    const targets = blockOf(batch, 2 * this.k, 0, this.k);
    if (this.rowTargets) for (const value of targets.values) this.rowTargets.push(value);
    const rows = this.state.consume({
      targets,
      predictions: blockOf(batch, 2 * this.k, this.k, this.k),
      firstRow: batch.firstRow,
    });
    this.losses.add(rows.crossEntropy, batch);
    if (this.entropies && this.divergences) {
      for (let i = 0; i < rows.entropy.length; i++) {
        this.entropies.push(rows.entropy[i]!);
        this.divergences.push(rows.kl[i]!);
      }
    }
  }
}
