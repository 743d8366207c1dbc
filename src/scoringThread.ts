/** A scoring thread: the blocks of a big file's rows that an analysis splits over threads. */
import { parentPort } from 'node:worker_threads';
import { serveScoring } from './analysis/threads/scoringJobs';

if (parentPort) serveScoring(parentPort);
