/** The analysis worker: reads and analyses files off the extension host's thread. */
import { parentPort } from 'node:worker_threads';
import { analyzeSource } from './analysis/analyzeFile';
import type { WorkerReply, WorkerRequest } from './analysis/workerMessages';
import { describeError } from './readers/errors';

parentPort?.on('message', async (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const analysis = await analyzeSource(request.source, request.options, request.maxBytes !== undefined ? { maxBytes: request.maxBytes } : {});
    reply = { id: request.id, type: 'result', analysis };
  } catch (error) {
    reply = { id: request.id, type: 'error', message: describeError(error) };
  }
  parentPort?.postMessage(reply);
});
