import { basename } from 'node:path';
import { typedValues } from '../../../engine/rowScores';
import { unionTargets } from '../../../engine/tokens/otherAlignment';
import { tokenErrorAt } from '../../../engine/tokens/tokenError';
import type { TokenScores } from '../../../engine/tokens/tokenLoss';
import { DataFileError, quoteName } from '../../../readers/errors';
import { resultsInOrder, type PlannedJob } from '../../threads/parallelBlocks';
import type { DroppedFlag } from '../../threads/scoringProtocol';
import type { ScoringPool } from '../../threads/scoringPool';
import { LM_JOB_VALUES, LM_JOBS_PER_THREAD } from '../../sizes';
import { tokenBlocks, type LanguageModelTensors, type TokenBlockPlace } from './tokenRows';

/** A block of logits scored on a thread: what LanguageModelPass.consumeScored takes. */
export interface ScoredTokenBlock {
  readonly place: TokenBlockPlace;
  readonly scores: TokenScores;
  readonly otherLosses: Float64Array;
}

/** A part of a block: positions [from, to), the `index`-th of `parts`. */
interface BlockPart {
  readonly place: TokenBlockPlace;
  readonly from: number;
  readonly to: number;
  readonly index: number;
  readonly parts: number;
}

/**
 * The blocks of tokenRows over every sequence, each scored in parts of at most LM_JOB_VALUES
 * values on `pool`'s threads (which read logits left in their file themselves) and put back
 * together in file order, so the pass reduces the same numbers in the same order as on one
 * thread. Throws a TokenError for a bad logit (as scoreTokens does), a DataFileError for a file
 * that no longer holds the logits, and 'cancelled' when `signal` aborts; jobs still queued are
 * then dropped.
 */
export async function* scoredBlocksOnThreads(tensors: LanguageModelTensors, pool: ScoringPool, signal?: AbortSignal): AsyncGenerator<ScoredTokenBlock> {
  const { predictions, vocabulary, length } = tensors;
  // Logits read into memory (from a deflated .npz, say) go part by part, copied: a copy of the
  // whole tensor in shared memory would double what the file already costs.
  const inMemory = predictions.stored ? undefined : typedValues(predictions.data);
  const shared = inMemory?.buffer instanceof SharedArrayBuffer ? inMemory : undefined;
  const logits = predictions.stored ?? shared;
  // A group whose targets are refused ends the plan: its error is met after every block before it, as on one thread.
  let refused: { readonly error: unknown } | undefined;
  function* jobs(dropped: DroppedFlag): Generator<PlannedJob<BlockPart>> {
    const blocks = tokenBlocks(tensors, 0, tensors.batch);
    for (;;) {
      let next: IteratorResult<TokenBlockPlace>;
      try {
        next = blocks.next();
      } catch (error) {
        refused = { error };
        return;
      }
      if (next.done) return;
      const place = next.value;
      const at = place.from - place.group.first * length;
      const n = place.to - place.from;
      const parts = Math.ceil((n * vocabulary) / LM_JOB_VALUES);
      const size = Math.ceil(n / parts);
      for (let index = 0; index < parts; index++) {
        const from = place.from + index * size;
        const to = Math.min(place.to, from + size);
        const chosen = place.group.chosen.subarray(at + from - place.from, at + to - place.from);
        // A copy: a view would send its group's whole buffer.
        const other = place.group.other!.slice(at + from - place.from, at + to - place.from);
        const targets = unionTargets(chosen, other);
        const copy = logits ? undefined : inMemory!.slice(from * vocabulary, to * vocabulary);
        const job = {
          type: 'tokens',
          logits: logits ?? copy!,
          ...(copy ? { copied: true } : {}),
          from,
          to,
          vocabulary,
          length,
          targets,
          other,
          dropped,
        } as const;
        yield { job, at: { place, from, to, index, parts }, ...(copy ? { transfer: [copy.buffer as ArrayBuffer] } : {}) };
      }
    }
  }
  let done: { scores: TokenScores; otherLosses: Float64Array }[] = [];
  for await (const { at, result } of resultsInOrder(pool, LM_JOBS_PER_THREAD, jobs, signal)) {
    if (result.type === 'error') {
      if (result.row !== undefined) throw tokenErrorAt(result.row, length, result.reason);
      const file = predictions.stored ? basename(predictions.stored.path) : tensors.fileName;
      throw new DataFileError(file, `tensor ${quoteName(predictions.name)}`, result.reason);
    }
    if (result.type !== 'tokens') throw new Error(`unexpected ${result.type} for positions ${at.from}..${at.to}`);
    done.push(result);
    if (at.index < at.parts - 1) continue;
    yield { place: at.place, ...joined(done, at.place) };
    done = [];
    // As between tokenRows' blocks: a cancellation can arrive.
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (signal?.aborted) throw new Error('cancelled');
  if (refused) throw refused.error;
}

/** A block's scores from those of its parts, in order. */
function joined(
  parts: readonly { scores: TokenScores; otherLosses: Float64Array }[],
  place: TokenBlockPlace,
): { scores: TokenScores; otherLosses: Float64Array } {
  if (parts.length === 1) return parts[0]!;
  const n = place.to - place.from;
  const join = <T extends Float64Array | Int32Array>(into: T, of: (part: { scores: TokenScores; otherLosses: Float64Array }) => T): T => {
    let at = 0;
    for (const part of parts) {
      into.set(of(part) as never, at);
      at += part.scores.n;
    }
    return into;
  };
  return {
    scores: {
      from: place.from,
      n,
      nll: join(new Float64Array(n), (part) => part.scores.nll),
      entropy: join(new Float64Array(n), (part) => part.scores.entropy),
      topProbability: join(new Float64Array(n), (part) => part.scores.topProbability),
      predicted: join(new Int32Array(n), (part) => part.scores.predicted),
      rank: join(new Int32Array(n), (part) => part.scores.rank),
    },
    otherLosses: join(new Float64Array(n), (part) => part.otherLosses),
  };
}
