import { Worker } from 'node:worker_threads';
import type { AnalysisSource } from '../analysis/analyzeFile';
import type { Analysis, AnalysisOptions } from '../analysis/types';
import type { WorkerReply, WorkerRequest } from '../analysis/workerMessages';

export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('cancelled');
  }
}

interface Pending {
  resolve(analysis: Analysis): void;
  reject(error: Error): void;
}

/**
 * Runs analyses in one worker thread, started on first use. Cancelling terminates the thread
 * (a pass over a big file cannot be interrupted from outside otherwise); the next request
 * starts a fresh one, and so does a crash.
 */
export class AnalysisWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly scriptPath: string) {}

  run(source: AnalysisSource, options: AnalysisOptions, maxBytes?: number, signal?: AbortSignal): Promise<Analysis> {
    if (signal?.aborted) return Promise.reject(new CancelledError());
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const request: WorkerRequest = { id, source, options, ...(maxBytes !== undefined ? { maxBytes } : {}) };
    return new Promise<Analysis>((resolve, reject) => {
      const onAbort = () => this.restart(new CancelledError());
      const settled = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (analysis) => (settled(), resolve(analysis)),
        reject: (error) => (settled(), reject(error)),
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.postMessage(request);
    });
  }

  dispose(): void {
    this.restart(new CancelledError());
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.scriptPath);
    worker.on('message', (reply: WorkerReply) => {
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      if (reply.type === 'result') pending.resolve(reply.analysis);
      else pending.reject(new Error(reply.message));
    });
    worker.on('error', (error) => this.restart(new Error(`the analysis worker failed: ${error.message}`)));
    worker.on('exit', () => {
      if (this.worker === worker) this.restart(new Error('the analysis worker stopped unexpectedly'));
    });
    // The worker must not keep the extension host (or the CLI) alive on its own.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** Stops the current thread, failing what it was doing with `reason`. */
  private restart(reason: Error): void {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    for (const pending of this.pending.values()) pending.reject(reason);
    this.pending.clear();
  }
}
