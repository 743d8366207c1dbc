import { basename } from 'node:path';
import { typedValues } from '../../../engine/rowScores';
import { unionTargets } from '../../../engine/tokens/otherAlignment';
import { tokenErrorAt } from '../../../engine/tokens/tokenError';
import type { TokenScores } from '../../../engine/tokens/tokenLoss';
import { DataFileError, quoteName } from '../../../readers/errors';
import { inSharedMemory, resultsInOrder, type PlannedJob } from '../../threads/parallelBlocks';
import type { DroppedFlag } from '../../threads/scoringProtocol';
import type { ScoringPool } from '../../threads/scoringPool';
import { LM_JOBS_PER_THREAD } from '../../sizes';
import { tokenBlocks, type LanguageModelTensors, type TokenBlockPlace } from './tokenRows';

/** A block of logits scored on a thread: what LanguageModelPass.consumeScored takes. */
export interface ScoredTokenBlock {
  readonly place: TokenBlockPlace;
  readonly scores: TokenScores;
  readonly otherLosses: Float64Array;
}

/**
 * The blocks of tokenRows over every sequence, each scored on one of `pool`'s threads (which
 * read logits left in their file themselves) and handed back in file order, so the pass reduces
 * the same numbers in the same order as on one thread. Throws a TokenError for a bad logit (as
 * scoreTokens does), a DataFileError for a file that no longer holds the logits, and 'cancelled'
 * when `signal` aborts; jobs still queued are then dropped.
 */
export async function* scoredBlocksOnThreads(tensors: LanguageModelTensors, pool: ScoringPool, signal?: AbortSignal): AsyncGenerator<ScoredTokenBlock> {
  const { predictions, vocabulary, length } = tensors;
  const logits = predictions.stored ?? inSharedMemory(typedValues(predictions.data));
  // A group whose targets are refused ends the plan: its error is met after every block before it, as on one thread.
  let refused: { readonly error: unknown } | undefined;
  function* jobs(dropped: DroppedFlag): Generator<PlannedJob<TokenBlockPlace>> {
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
      const chosen = place.group.chosen.subarray(at, at + n);
      // A copy: a view would send its group's whole buffer.
      const other = place.group.other!.slice(at, at + n);
      const targets = unionTargets(chosen, other);
      yield { job: { type: 'tokens', logits, from: place.from, to: place.to, vocabulary, length, targets, other, dropped }, at: place };
    }
  }
  for await (const { at, result } of resultsInOrder(pool, LM_JOBS_PER_THREAD, jobs, signal)) {
    if (result.type === 'error') {
      if (result.row !== undefined) throw tokenErrorAt(result.row, length, result.reason);
      const file = predictions.stored ? basename(predictions.stored.path) : tensors.fileName;
      throw new DataFileError(file, `tensor ${quoteName(predictions.name)}`, result.reason);
    }
    if (result.type !== 'tokens') throw new Error(`unexpected ${result.type} for positions ${at.from}..${at.to}`);
    yield { place: at, scores: result.scores, otherLosses: result.otherLosses };
    // As between tokenRows' blocks: a cancellation can arrive.
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (signal?.aborted) throw new Error('cancelled');
  if (refused) throw refused.error;
}
