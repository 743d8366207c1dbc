/** The analysis worker: reads and analyses files off the extension host's thread. */
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { runAnalysis } from './analysis/runAnalysis';
import { KeptScoringPool, scoringThreadsFor } from './analysis/scoringPool';
import type { PartialResult, WorkerReply, WorkerRequest } from './analysis/workerMessages';

/** At most one progress message per this many milliseconds. */
const PROGRESS_INTERVAL_MS = 100;

// Scoring threads are kept while this worker lives (the host stops it when idle), warm for the next edit.
const scoringThreads = scoringThreadsFor(join(__dirname, 'scoringThread.js'));
const keptPool = scoringThreads ? new KeptScoringPool(scoringThreads) : undefined;

parentPort?.on('message', handle);

async function handle(request: WorkerRequest): Promise<void> {
  let last = 0;
  const onProgress = (fraction: number, partial?: PartialResult) => {
    const now = Date.now();
    if (now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    parentPort?.postMessage({ id: request.id, type: 'progress', fraction, ...(partial ? { partial } : {}) } satisfies WorkerReply);
  };
  const reply: WorkerReply = { id: request.id, type: 'done', ...(await runAnalysis(request, onProgress, keptPool)) };
  parentPort?.postMessage(reply);
}
