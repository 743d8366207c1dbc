import type { CategoricalBlock } from '../../engine/categoricalBlock';
import type { CrossEntropyOptions } from '../../engine/crossEntropyLoss';
import type { TokenScores } from '../../engine/tokens/tokenLoss';
import type { CsvKeyColumn, CsvRecordLayout } from '../../readers/csvRecords';
import type { NumericArray, StoredElements } from '../../readers/tensor';

/**
 * Work for a scoring thread: the lines of a CSV file that start in a byte range, or a range
 * of rows of tensors in shared memory or left in their file, the thread reading the file itself;
 * either way scored and reduced into a CategoricalBlock for a cross-entropy with
 * `crossEntropy`'s options, whose arrays come back transferred, not copied.
 */
/**
 * Shared by the jobs of one reader of results: set to 1 when it stops reading them (it failed, or
 * found the prediction kind it guessed was wrong), so a thread skips those still queued.
 */
export type DroppedFlag = Int32Array;

export type ScoringJob =
  /** Lines starting in [from, to) (see readOwnedLines); `layout.fields` are the K score fields, then the label's. */
  | {
      readonly type: 'csv';
      readonly path: string;
      readonly from: number;
      readonly to: number;
      readonly fromIsLineStart: boolean;
      readonly layout: CsvRecordLayout;
      /** Text columns whose codes come back as `sliceKeys`. */
      readonly keys?: readonly CsvKeyColumn[];
      readonly k: number;
      readonly crossEntropy: CrossEntropyOptions;
      readonly dropped?: DroppedFlag;
    }
  | {
      readonly type: 'rows';
      /**
       * Arrays backed by a SharedArrayBuffer (every thread reads the same memory), or tensors
       * left in their file, whose rows the thread reads itself.
       */
      readonly labels: NumericArray | StoredElements;
      readonly values: Float32Array | Float64Array | StoredElements;
      readonly from: number;
      readonly to: number;
      readonly k: number;
      readonly crossEntropy: CrossEntropyOptions;
      readonly dropped?: DroppedFlag;
    }
  /**
   * Positions [from, to) of a language model's [B, T, V] logits (flat index b * T + t), scored
   * with `targets` (one per position, NO_TARGET for none), with each position's loss under the
   * other alignment's `other` targets too.
   */
  | {
      readonly type: 'tokens';
      /**
       * The whole tensor in shared memory or left in its file, or a copy of positions [from, to)
       * alone (`copied`), which a tensor read into memory sends part by part rather than copy
       * all of it into shared memory.
       */
      readonly logits: Float32Array | Float64Array | StoredElements;
      readonly copied?: boolean;
      readonly from: number;
      readonly to: number;
      readonly vocabulary: number;
      /** T, to place a bad row at its batch and position. */
      readonly length: number;
      readonly targets: Int32Array;
      readonly other: Int32Array;
      readonly dropped?: DroppedFlag;
    };

export type ScoringResult =
  /** `labels` when the thread read them (CSV jobs, labels in their file); `lines` (from 1 at the job's first byte) and `lineBreaks` for CSV jobs. */
  | {
      readonly type: 'reduced';
      readonly block: CategoricalBlock;
      readonly labels?: NumericArray;
      readonly lines?: Uint32Array;
      readonly lineBreaks?: number;
      /** For CSV jobs with keys: per key column, each row's code. */
      readonly sliceKeys?: readonly Uint8Array[];
    }
  /** A 'tokens' job's scores, and its positions' losses under the other alignment (NaN where it scores none). */
  | { readonly type: 'tokens'; readonly scores: TokenScores; readonly otherLosses: Float64Array }
  /**
   * The lines from byte `start` on hold a quote (so a line break may sit inside a field) or one
   * too long to read whole: the general parser must read the rest of the file in order.
   */
  | { readonly type: 'needsGeneralParser'; readonly start: number }
  /** The job's reader had stopped reading results before the job's turn came: not run. */
  | { readonly type: 'dropped' }
  /**
   * `line` (from 1 at the job's first byte) for CSV jobs, `row` (of the file) for rows, the flat
   * position for tokens (none when their file could not be read); `field` 0-based.
   */
  | { readonly type: 'error'; readonly reason: string; readonly line?: number; readonly row?: number; readonly field?: number };

export interface ScoringRequest {
  readonly id: number;
  readonly job: ScoringJob;
}

export interface ScoringReply {
  readonly id: number;
  readonly result: ScoringResult;
}
