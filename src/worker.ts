/**
 * The analysis worker: reads and analyses files off the extension host's thread, one request
 * at a time (the kept scoring threads serve one analysis at a time), in the order they came.
 * A cancelled request is dropped from the queue, or stopped at its next batch if it is running.
 */
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import type { PartialResult } from './analysis/results';
import { KeptScoringPool, scoringThreadsFor } from './analysis/threads/scoringPool';
import type { WorkerMessage, WorkerReply, WorkerRequest } from './protocol/worker';
import { serveRequest } from './worker/serveRequest';

/** At most one progress message per this many milliseconds. */
const PROGRESS_INTERVAL_MS = 100;

// Scoring threads are kept while this worker lives (the host stops it when idle), warm for the next edit.
const scoringThreads = scoringThreadsFor(join(__dirname, 'scoringThread.js'));
const keptPool = scoringThreads ? new KeptScoringPool(scoringThreads) : undefined;

const queue: WorkerRequest[] = [];
let running: { readonly id: number; readonly controller: AbortController } | undefined;

const reply = (message: WorkerReply) => parentPort?.postMessage(message);

parentPort?.on('message', (message: WorkerMessage) => {
  if (message.type === 'cancel') {
    if (running?.id === message.id) running.controller.abort();
    const queued = queue.findIndex((request) => request.id === message.id);
    if (queued >= 0) {
      queue.splice(queued, 1);
      reply({ id: message.id, type: 'cancelled' });
    }
    return;
  }
  const { type: _type, ...request } = message;
  queue.push(request);
  void next();
});

async function next(): Promise<void> {
  if (running) return;
  const request = queue.shift();
  if (!request) return;
  const controller = new AbortController();
  running = { id: request.id, controller };
  let last = 0;
  const onProgress = (fraction: number, partial?: PartialResult) => {
    const now = Date.now();
    if (now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    reply({ id: request.id, type: 'progress', fraction, ...(partial ? { partial } : {}) });
  };
  try {
    const outcome = await serveRequest(request, onProgress, keptPool, controller.signal);
    reply(controller.signal.aborted ? { id: request.id, type: 'cancelled' } : { id: request.id, type: 'done', ...outcome });
  } finally {
    running = undefined;
    void next();
  }
}
