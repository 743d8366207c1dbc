import { Worker } from 'node:worker_threads';
import type { AnalysisOutcome, PartialResult, WorkerReply, WorkerRequest } from '../analysis/workerMessages';

export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('cancelled');
  }
}

interface Pending {
  progress?(fraction: number, partial?: PartialResult): void;
  resolve(outcome: AnalysisOutcome): void;
  reject(error: Error): void;
}

/** How long an idle worker thread is kept before it is stopped. */
const IDLE_MS = 30_000;

/**
 * Runs analyses in one worker thread, started on first use and stopped when idle. Cancelling
 * terminates the thread (a pass over a big file cannot be interrupted from outside otherwise);
 * the next request starts a fresh one, and so does a crash.
 */
export class AnalysisWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly scriptPath: string) {}

  run(request: Omit<WorkerRequest, 'id'>, signal?: AbortSignal, onProgress?: (fraction: number, partial?: PartialResult) => void): Promise<AnalysisOutcome> {
    if (signal?.aborted) return Promise.reject(new CancelledError());
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<AnalysisOutcome>((resolve, reject) => {
      const onAbort = () => this.stop(new CancelledError());
      const settled = () => {
        signal?.removeEventListener('abort', onAbort);
        if (this.pending.size === 0) this.scheduleIdleStop();
      };
      this.pending.set(id, {
        ...(onProgress ? { progress: onProgress } : {}),
        resolve: (outcome) => {
          this.pending.delete(id);
          settled();
          resolve(outcome);
        },
        reject: (error) => {
          this.pending.delete(id);
          settled();
          reject(error);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.postMessage({ ...request, id } satisfies WorkerRequest);
    });
  }

  dispose(): void {
    this.stop(new CancelledError());
  }

  private ensureWorker(): Worker {
    clearTimeout(this.idleTimer);
    if (this.worker) return this.worker;
    const worker = new Worker(this.scriptPath);
    worker.on('message', (reply: WorkerReply) => {
      const pending = this.pending.get(reply.id);
      if (reply.type === 'progress') pending?.progress?.(reply.fraction, reply.partial);
      else {
        const { id: _id, type: _type, ...outcome } = reply;
        pending?.resolve(outcome);
      }
    });
    worker.on('error', (error) => this.stop(new Error(`the analysis worker failed: ${error.message}`)));
    worker.on('exit', () => {
      if (this.worker === worker) this.stop(new Error('the analysis worker stopped unexpectedly'));
    });
    // The worker must not keep the extension host (or a test) alive on its own.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private scheduleIdleStop(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.pending.size === 0) this.stop(new CancelledError());
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  /** Stops the current thread, failing what it was doing with `reason`. */
  private stop(reason: Error): void {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    for (const pending of [...this.pending.values()]) pending.reject(reason);
    this.pending.clear();
  }
}
