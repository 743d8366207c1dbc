import type { CrossEntropyOptions } from '../../engine/crossEntropyLoss';
import type { ReducedBatch } from '../rows/rowBatch';

/** Blocks whose production (their threads' jobs) starts now, to be read later or dropped. */
export interface StartedBlocks {
  readonly options: CrossEntropyOptions;
  readonly blocks: AsyncIterable<ReducedBatch>;
  /** Stops the production unless it was read to the end; never throws. */
  close(): Promise<void>;
}

export function startBlocks(produce: (options: CrossEntropyOptions) => AsyncIterable<ReducedBatch>, options: CrossEntropyOptions): StartedBlocks {
  const iterator = produce(options)[Symbol.asyncIterator]();
  const first = iterator.next();
  // A failure is met where the blocks are read; blocks never read have nothing to report.
  first.catch(() => undefined);
  let finished = false;
  const close = async () => {
    if (finished) return;
    finished = true;
    await first.then(
      () => iterator.return?.(),
      () => undefined,
    );
  };
  return {
    options,
    blocks: {
      async *[Symbol.asyncIterator]() {
        try {
          for (let next = await first; !next.done; next = await iterator.next()) yield next.value;
          finished = true;
        } finally {
          await close();
        }
      },
    },
    close: () => close().catch(() => undefined),
  };
}

/** Whether blocks reduced with `a` can be merged into a pass with `b`. */
export function sameReduction(a: CrossEntropyOptions, b: CrossEntropyOptions): boolean {
  return (
    a.kind === b.kind &&
    a.weight === b.weight &&
    a.ignoreIndex === b.ignoreIndex &&
    a.labelSmoothing === b.labelSmoothing &&
    a.strictMissing === b.strictMissing
  );
}
