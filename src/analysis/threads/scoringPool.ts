import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ScoringJob, ScoringReply, ScoringResult } from './scoringProtocol';

/** The script a scoring thread runs (dist/scoringThread.js), and how many to start. */
export interface ScoringThreads {
  readonly script: string;
  readonly count: number;
}

/**
 * Threads started unless LIKELIHOOD_LENS_THREADS asks otherwise. Each is a V8 isolate of about
 * 40 MB: two keep a CSV pass of any size under 300 MB peak RSS (276 MB on a 2.1 GB file, against
 * 351-402 MB with four), and past two the ordered merge on the calling thread limits the gain.
 */
const DEFAULT_THREADS = 2;
/** The most LIKELIHOOD_LENS_THREADS may ask for. */
const MAX_THREADS = 8;

/**
 * Threads for `script`: one per core up to DEFAULT_THREADS, or as many as LIKELIHOOD_LENS_THREADS
 * says (up to MAX_THREADS); undefined for fewer than two, where they would only add overhead.
 */
export function scoringThreadsFor(script: string, cores = availableParallelism(), asked = process.env.LIKELIHOOD_LENS_THREADS): ScoringThreads | undefined {
  const wanted = asked !== undefined && asked.trim() !== '' ? Number(asked) : Math.min(DEFAULT_THREADS, cores);
  const count = Number.isInteger(wanted) ? Math.min(MAX_THREADS, wanted) : 0;
  return count >= 2 ? { script, count } : undefined;
}

/** A scoring thread failed (out of memory, killed, its script missing): the analysis can do without it. */
export class ScoringThreadError extends Error {
  override readonly name = 'ScoringThreadError';
}

interface Thread {
  readonly worker: Worker;
  readonly pending: Set<number>;
}

/**
 * Worker threads that score rows, started by start() (an analysis calls it as soon as it knows
 * its file is big, so the threads boot while it reads) or by the first job. Jobs go to the
 * thread with the fewest pending; each answer settles the promise run() returned. A thread
 * that fails rejects what it had pending; close() stops them all, finished or not.
 */
export class ScoringPool {
  private readonly threads: Thread[] = [];
  private readonly waiting = new Map<number, { resolve: (result: ScoringResult) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private closed = false;
  /** Why a thread stopped on its own: the pool takes no more jobs then. */
  private failure: ScoringThreadError | undefined;

  constructor(private readonly config: ScoringThreads) {}

  start(): void {
    if (this.threads.length > 0 || this.closed) return;
    for (let i = 0; i < this.config.count; i++) {
      const worker = new Worker(this.config.script);
      const thread: Thread = { worker, pending: new Set() };
      worker.on('message', ({ id, result }: ScoringReply) => {
        thread.pending.delete(id);
        const waiter = this.waiting.get(id);
        this.waiting.delete(id);
        waiter?.resolve(result);
      });
      const fail = (error: ScoringThreadError) => {
        if (!this.closed) this.failure ??= error;
        for (const id of thread.pending) {
          this.waiting.get(id)?.reject(error);
          this.waiting.delete(id);
        }
        thread.pending.clear();
      };
      worker.on('error', (error) => fail(new ScoringThreadError(`a scoring thread failed: ${error.message}`)));
      worker.on('exit', (code) => fail(new ScoringThreadError(`a scoring thread stopped (exit code ${code})`)));
      this.threads.push(thread);
    }
  }

  get size(): number {
    return this.config.count;
  }

  /** How many jobs have been sent to the threads. */
  get jobsRun(): number {
    return this.nextId;
  }

  /** Whether the pool can take jobs: not closed, and no thread has stopped on its own. */
  get usable(): boolean {
    return !this.closed && !this.failure;
  }

  /**
   * Scores a job on the least busy thread. The promise never rejects unobserved: a caller that
   * queues jobs and awaits them in order sees a failure when it reaches that job.
   */
  run(job: ScoringJob, transfer: ArrayBuffer[] = []): Promise<ScoringResult> {
    if (this.closed) return refused(new ScoringThreadError('the scoring threads are closed'));
    if (this.failure) return refused(this.failure);
    this.start();
    const thread = this.threads.reduce((best, next) => (next.pending.size < best.pending.size ? next : best));
    const id = this.nextId++;
    const result = new Promise<ScoringResult>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    result.catch(() => undefined);
    thread.pending.add(id);
    thread.worker.postMessage({ id, job }, transfer);
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.threads.map(({ worker }) => worker.terminate()));
    // A ScoringThreadError: an analysis whose jobs were still waiting (on a kept pool replaced
    // under it) is done again without threads rather than failed.
    for (const { reject } of this.waiting.values()) reject(new ScoringThreadError('the scoring threads were closed'));
    this.waiting.clear();
  }
}

/** A job refused at once, its rejection observed here like that of a job a failing thread drops. */
function refused(error: Error): Promise<ScoringResult> {
  const result = Promise.reject(error);
  result.catch(() => undefined);
  return result;
}

/**
 * A pool kept from one analysis to the next (the analysis worker's, which lives while the user
 * works): its threads have compiled their loops already, so a file analysed again after an edit
 * is scored about a quarter faster. A pool that lost a thread is replaced.
 */
export class KeptScoringPool {
  private pool: ScoringPool | undefined;

  constructor(private readonly config: ScoringThreads) {}

  get(): ScoringPool {
    if (!this.pool?.usable) {
      void this.pool?.close();
      this.pool = new ScoringPool(this.config);
    }
    return this.pool;
  }
}
