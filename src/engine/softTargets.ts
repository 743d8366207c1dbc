import type { PredictionKind } from './categorical';
import { CompensatedSum } from './compensatedSum';
import { logProbabilityRow } from './logProbabilities';
import type { RowMatrix, StreamingState } from './reduction';
import { checkPairedRows, RowError } from './rowError';

export interface SoftTargetChunk {
  /** Target distributions p, one row per sample. */
  readonly targets: RowMatrix;
  /** Predictions q of the kind given in the options. */
  readonly predictions: RowMatrix;
  readonly firstRow?: number;
}

export interface SoftTargetOptions {
  readonly kind: PredictionKind;
  /** Class weights and label smoothing as `F.cross_entropy` applies them to probability targets. */
  readonly weight?: ArrayLike<number>;
  readonly labelSmoothing?: number;
}

export interface SoftTargetRows {
  readonly crossEntropy: Float64Array;
  readonly entropy: Float64Array;
  readonly kl: Float64Array;
}

const TARGET_SUM_TOLERANCE = 1e-6;

/**
 * Per row: H(p, q) = -sum_c p_c log q_c, H(p) = -sum_c p_c log p_c and
 * KL(p || q) = sum_c p_c (log p_c - log q_c), each summed term by term on its own (not one
 * from the others), with every term whose p_c = 0 counted as 0 (0 log 0 = 0, and p_c = 0
 * puts no weight on log q_c even when q_c = 0). The identity H(p,q) = H(p) + KL(p||q) is then
 * a numerical check on the three sums.
 */
export class SoftTargetState implements StreamingState<SoftTargetChunk, SoftTargetState> {
  readonly crossEntropySum = new CompensatedSum();
  readonly entropySum = new CompensatedSum();
  readonly klSum = new CompensatedSum();
  /** -sum_c w_c p'_c log q_c with p' the smoothed target: what F.cross_entropy sums. */
  readonly torchSum = new CompensatedSum();
  /** Per class c, sums over rows of -p_c log p_c and p_c log(p_c / q_c): the split of H(p,q) by class. */
  readonly entropyByClass: CompensatedSum[];
  readonly klByClass: CompensatedSum[];
  count = 0;
  /** Target rows whose sum is off 1 by more than 1e-6 (PyTorch does not check; the identity assumes it). */
  targetsNotNormalised = 0;
  private readonly logQ: Float64Array;

  constructor(
    readonly k: number,
    readonly options: SoftTargetOptions,
  ) {
    if (options.weight && options.weight.length !== k) throw new RangeError(`${options.weight.length} class weights for ${k} classes`);
    this.logQ = new Float64Array(k);
    this.entropyByClass = Array.from({ length: k }, () => new CompensatedSum());
    this.klByClass = Array.from({ length: k }, () => new CompensatedSum());
  }

  consume(chunk: SoftTargetChunk): SoftTargetRows {
    const { targets, predictions } = chunk;
    const first = chunk.firstRow ?? 0;
    const k = this.k;
    checkPairedRows(targets, predictions, k, first);
    const n = targets.n;
    const out: SoftTargetRows = { crossEntropy: new Float64Array(n), entropy: new Float64Array(n), kl: new Float64Array(n) };
    const eps = this.options.labelSmoothing ?? 0;
    const weight = this.options.weight;
    const logQ = this.logQ;
    const p = targets.values;
    for (let i = 0; i < n; i++) {
      const row = first + i;
      const offset = i * k;
      logProbabilityRow(predictions.values, offset, k, this.options.kind, row, logQ);
      let ce = 0;
      let h = 0;
      let kl = 0;
      let torch = 0;
      let total = 0;
      for (let c = 0; c < k; c++) {
        const pc = p[offset + c]!;
        if (!(pc >= 0 && pc <= 1))
          throw new RowError(
            row,
            Number.isNaN(pc) ? `the target probability of class ${c} is missing (NaN)` : `target probability ${pc} of class ${c} is outside [0, 1]`,
          );
        total += pc;
        const smoothed = (1 - eps) * pc + eps / k;
        if (smoothed > 0) torch -= (weight ? weight[c]! : 1) * smoothed * logQ[c]!;
        if (pc === 0) continue;
        const logP = Math.log(pc);
        const entropyTerm = -pc * logP;
        const klTerm = pc * (logP - logQ[c]!);
        ce -= pc * logQ[c]!;
        h += entropyTerm;
        kl += klTerm;
        this.entropyByClass[c]!.add(entropyTerm);
        this.klByClass[c]!.add(klTerm);
      }
      if (Math.abs(total - 1) > TARGET_SUM_TOLERANCE) this.targetsNotNormalised++;
      out.crossEntropy[i] = ce;
      out.entropy[i] = h;
      out.kl[i] = kl;
      this.crossEntropySum.add(ce);
      this.entropySum.add(h);
      this.klSum.add(kl);
      this.torchSum.add(torch);
      this.count++;
    }
    return out;
  }

  merge(other: SoftTargetState): void {
    this.crossEntropySum.merge(other.crossEntropySum);
    this.entropySum.merge(other.entropySum);
    this.klSum.merge(other.klSum);
    this.torchSum.merge(other.torchSum);
    this.entropyByClass.forEach((sum, c) => sum.merge(other.entropyByClass[c]!));
    this.klByClass.forEach((sum, c) => sum.merge(other.klByClass[c]!));
    this.count += other.count;
    this.targetsNotNormalised += other.targetsNotNormalised;
  }

  /** Mean H(p_i, q_i) over rows. */
  get crossEntropy(): number {
    return this.crossEntropySum.value / this.count;
  }

  get entropy(): number {
    return this.entropySum.value / this.count;
  }

  /** `F.kl_div(log q, p, reduction='batchmean')`: the KL summed over classes and rows, divided by the row count. */
  get klBatchmean(): number {
    return this.klSum.value / this.count;
  }

  /** `F.cross_entropy(input, probability_target, weight, label_smoothing, reduction='mean')`: divided by the row count, not by weights. */
  get torchCrossEntropy(): number {
    return this.torchSum.value / this.count;
  }
}

export function softTargetLosses(targets: RowMatrix, predictions: RowMatrix, options: SoftTargetOptions): SoftTargetState {
  const state = new SoftTargetState(targets.k, options);
  state.consume({ targets, predictions });
  return state;
}
