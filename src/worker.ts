/** The analysis worker: reads and analyses files off the extension host's thread. */
import { parentPort } from 'node:worker_threads';
import { runAnalysis } from './analysis/runAnalysis';
import type { WorkerReply, WorkerRequest } from './analysis/workerMessages';

parentPort?.on('message', async (request: WorkerRequest) => {
  const reply: WorkerReply = { id: request.id, ...(await runAnalysis(request)) };
  parentPort?.postMessage(reply);
});
