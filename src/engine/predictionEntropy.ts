import type { PredictionKind } from './categorical';
import { LossAccumulator } from './lossAccumulator';
import { logProbabilityRow } from './logProbabilities';
import type { RowMatrix, StreamingState } from './reduction';

export interface PredictionChunk {
  readonly scores: RowMatrix;
  readonly firstRow?: number;
}

/**
 * Entropy H(q_i) = -sum_c q_c log q_c of each prediction row, in nats, for files with no
 * labels: how unsure the model is, row by row. 0 log 0 = 0.
 */
export class PredictionEntropyState implements StreamingState<PredictionChunk, PredictionEntropyState> {
  readonly entropy = new LossAccumulator();
  private readonly logQ: Float64Array;

  constructor(
    readonly k: number,
    readonly kind: PredictionKind,
  ) {
    this.logQ = new Float64Array(k);
  }

  consume(chunk: PredictionChunk): Float64Array {
    const { scores } = chunk;
    const first = chunk.firstRow ?? 0;
    const out = new Float64Array(scores.n);
    for (let i = 0; i < scores.n; i++) {
      logProbabilityRow(scores.values, i * this.k, this.k, this.kind, first + i, this.logQ);
      let h = 0;
      for (let c = 0; c < this.k; c++) {
        const logQ = this.logQ[c]!;
        if (logQ !== -Infinity) h -= Math.exp(logQ) * logQ;
      }
      out[i] = h;
      this.entropy.add(h, first + i);
    }
    return out;
  }

  merge(other: PredictionEntropyState): void {
    this.entropy.merge(other.entropy);
  }

  get mean(): number {
    return this.entropy.mean;
  }
}

export function predictionEntropy(scores: RowMatrix, kind: PredictionKind): { perRow: Float64Array; mean: number } {
  const state = new PredictionEntropyState(scores.k, kind);
  const perRow = state.consume({ scores });
  return { perRow, mean: state.mean };
}
