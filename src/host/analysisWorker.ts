import { Worker } from 'node:worker_threads';
import type { PartialResult } from '../analysis/results';
import type { AnalysisOutcome, WorkerMessage, WorkerReply, WorkerRequest } from '../protocol/worker';

export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('cancelled');
  }
}

interface Pending {
  readonly request: WorkerRequest;
  progress?(fraction: number, partial?: PartialResult): void;
  resolve(outcome: AnalysisOutcome): void;
  reject(error: Error): void;
}

/** How long an idle worker thread is kept before it is stopped. */
const IDLE_MS = 30_000;

/**
 * How long a cancelled request may take to stop before the thread is replaced. A streamed file
 * stops at its next batch, well within this; a pass that cannot be interrupted (a huge editor
 * buffer) would otherwise hold every other file's analysis behind it.
 */
const CANCEL_GRACE_MS = 1_500;

/**
 * The extension's one analysis worker thread, shared by every file: started on first use,
 * stopped when idle, started again after a crash. Requests run one at a time in the worker;
 * cancelling one drops it there (or stops it at its next batch) and leaves the others alone.
 */
export class AnalysisWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Cancelled requests the worker has not yet confirmed stopped, with the timer that replaces the thread if it does not. */
  private readonly stopping = new Map<number, NodeJS.Timeout>();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly scriptPath: string,
    /** The environment each new thread starts with (its scoring threads inherit it); the host's when absent. */
    private readonly environment?: () => NodeJS.ProcessEnv,
  ) {}

  run(request: Omit<WorkerRequest, 'id'>, signal?: AbortSignal, onProgress?: (fraction: number, partial?: PartialResult) => void): Promise<AnalysisOutcome> {
    if (signal?.aborted) return Promise.reject(new CancelledError());
    const id = this.nextId++;
    const full: WorkerRequest = { ...request, id };
    return new Promise<AnalysisOutcome>((resolve, reject) => {
      const onAbort = () => this.cancel(id);
      const settle = () => {
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
        this.scheduleIdleStop();
      };
      this.pending.set(id, {
        request: full,
        ...(onProgress ? { progress: onProgress } : {}),
        resolve: (outcome) => {
          settle();
          resolve(outcome);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.post({ type: 'run', ...full });
    });
  }

  dispose(): void {
    this.stop(new CancelledError());
  }

  private cancel(id: number): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    pending.reject(new CancelledError());
    this.post({ type: 'cancel', id });
    this.stopping.set(
      id,
      setTimeout(() => this.replaceThread(), CANCEL_GRACE_MS),
    );
  }

  private post(message: WorkerMessage): void {
    this.ensureWorker().postMessage(message);
  }

  private ensureWorker(): Worker {
    clearTimeout(this.idleTimer);
    if (this.worker) return this.worker;
    const worker = new Worker(this.scriptPath, this.environment ? { env: this.environment() } : {});
    worker.on('message', (reply: WorkerReply) => this.receive(reply));
    worker.on('error', (error) => {
      if (this.worker === worker) this.stop(new Error(`the analysis worker failed: ${error.message}`));
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.stop(new Error('the analysis worker stopped unexpectedly'));
    });
    // The worker must not keep the extension host (or a test) alive on its own.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private receive(reply: WorkerReply): void {
    if (reply.type !== 'progress' && this.stopping.has(reply.id)) {
      clearTimeout(this.stopping.get(reply.id));
      this.stopping.delete(reply.id);
      this.scheduleIdleStop();
      return;
    }
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    if (reply.type === 'progress') pending.progress?.(reply.fraction, reply.partial);
    else if (reply.type === 'done') {
      const { id: _id, type: _type, ...outcome } = reply;
      pending.resolve(outcome);
    }
  }

  /** A new thread, in a new environment, takes over the requests still wanted (the next request starts one if none are). */
  restart(): void {
    this.replaceThread();
  }

  /** A cancelled request did not stop in time: a new thread takes over the requests still wanted. */
  private replaceThread(): void {
    for (const timer of this.stopping.values()) clearTimeout(timer);
    this.stopping.clear();
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    for (const pending of this.pending.values()) this.post({ type: 'run', ...pending.request });
    this.scheduleIdleStop();
  }

  private scheduleIdleStop(): void {
    clearTimeout(this.idleTimer);
    if (this.pending.size > 0 || this.stopping.size > 0 || !this.worker) return;
    this.idleTimer = setTimeout(() => {
      if (this.pending.size === 0 && this.stopping.size === 0) this.stop(new CancelledError());
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  /** Stops the current thread, failing what it was doing with `reason`. */
  private stop(reason: Error): void {
    clearTimeout(this.idleTimer);
    for (const timer of this.stopping.values()) clearTimeout(timer);
    this.stopping.clear();
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    for (const pending of [...this.pending.values()]) pending.reject(reason);
    this.pending.clear();
  }
}
