import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { memorySource } from '../../../src/readers/byteSource';
import { parseTableBytes } from '../../../src/readers/readDataFile';
import { sniffCsv, streamCsvColumns } from '../../../src/readers/csvStream';
import { DataFileError } from '../../../src/readers/errors';
import { DEFAULT_LIMITS, type ReadLimits } from '../../../src/readers/limits';
import { readArrow } from '../../../src/readers/arrow';
import { readParquet } from '../../../src/readers/parquet';
import { readTensorSource } from '../../../src/readers/readTensorFile';
import { fixturePath } from '../../helpers/fixtures';
import { random } from '../../helpers/random';

/**
 * Mutation fuzzing of every reader, seeded with the real fixtures and with every input a past run
 * found (test/fixtures/fuzz): bit flips, interesting bytes, truncation, duplicated and deleted
 * runs. Every input must read, or fail with the reader's DataFileError in one line naming the
 * file, within a time and memory bound. Each reader is fuzzed in a worker thread so that even a
 * synchronous endless loop is caught: the worker publishes the input it is on, and the test stops
 * it when that input takes too long and saves the input under out/fuzz-failures to reproduce.
 */
const BUDGET_MS = Number(process.env.FUZZ_MS ?? 2500);
/** Fixed by default so CI is reproducible; set FUZZ_SEED for a longer campaign on other inputs. */
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const MAX_CASES = Number(process.env.FUZZ_CASES ?? 20_000);
const PER_INPUT_MS = 2000;
const MAX_INPUT_BYTES = 1 << 20;
const WORKER_HEAP_MB = 512;
const LIMITS: ReadLimits = { ...DEFAULT_LIMITS, maxTensorBytes: 64 * 2 ** 20, maxInflatedBytes: 64 * 2 ** 20, maxHeaderBytes: 2 ** 20 };
const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x22, 0x2c, 0x0a, 0x0d, 0x5c];

function mutate(seed: Uint8Array, next: () => number): Uint8Array {
  let bytes = Uint8Array.from(seed);
  const edits = 1 + Math.floor(next() * 4);
  for (let e = 0; e < edits && bytes.length > 0; e++) {
    const at = Math.floor(next() * bytes.length);
    switch (Math.floor(next() * 5)) {
      case 0:
        bytes[at] ^= 1 << Math.floor(next() * 8);
        break;
      case 1:
        bytes[at] = INTERESTING[Math.floor(next() * INTERESTING.length)]!;
        break;
      case 2:
        bytes = bytes.slice(0, at);
        break;
      case 3: {
        const length = Math.min(bytes.length - at, 1 + Math.floor(next() * 64));
        const copy = new Uint8Array(bytes.length + length);
        copy.set(bytes.subarray(0, at + length));
        copy.set(bytes.subarray(at), at + length);
        bytes = copy;
        break;
      }
      default: {
        const length = Math.min(bytes.length - at, 1 + Math.floor(next() * 64));
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + length)]);
      }
    }
  }
  return bytes;
}

const seedsOf = (folder: string, pattern: RegExp) =>
  readdirSync(fixturePath(folder))
    .filter((name) => pattern.test(name))
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(fixturePath(folder, name))) }))
    .filter((seed) => seed.bytes.length <= MAX_INPUT_BYTES);

async function readCsvBothWays(name: string, bytes: Uint8Array): Promise<void> {
  parseTableBytes(bytes, name);
  const source = memorySource(name, bytes);
  const layout = await sniffCsv(source);
  for await (const _batch of streamCsvColumns(
    source,
    layout,
    layout.columns.map((column) => column.field!),
    { chunkBytes: 4096 },
  )) {
    // draining the stream is the test
  }
}

const targets: { reader: string; seeds: { name: string; bytes: Uint8Array }[]; read: (name: string, bytes: Uint8Array) => Promise<unknown> }[] = [
  { reader: 'csv', seeds: [...seedsOf('classifier', /\.(csv|tsv)$/), ...seedsOf('fuzz', /\.(csv|tsv)$/)], read: readCsvBothWays },
  {
    reader: 'npy',
    seeds: [...seedsOf('tensors', /\.npy$/), ...seedsOf('eval', /\.npy$/), ...seedsOf('fuzz', /\.npy$/)],
    read: (name, bytes) => readTensorSource(memorySource(name, bytes), '.npy', LIMITS),
  },
  {
    reader: 'npz',
    seeds: [...seedsOf('tensors', /\.npz$/), ...seedsOf('eval', /\.npz$/), ...seedsOf('fuzz', /\.npz$/)],
    read: (name, bytes) => readTensorSource(memorySource(name, bytes), '.npz', LIMITS),
  },
  {
    reader: 'safetensors',
    seeds: [...seedsOf('tensors', /\.safetensors$/), ...seedsOf('eval', /\.safetensors$/), ...seedsOf('fuzz', /\.safetensors$/)],
    read: (name, bytes) => readTensorSource(memorySource(name, bytes), '.safetensors', LIMITS),
  },
  {
    reader: 'pt',
    seeds: [...seedsOf('torch', /\.pt$/), ...seedsOf('eval', /\.pth?$/), ...seedsOf('fuzz', /\.pt$/)],
    read: (name, bytes) => readTensorSource(memorySource(name, bytes), '.pt', LIMITS),
  },
  {
    reader: 'parquet',
    seeds: [...seedsOf('parquet', /\.parquet$/), ...seedsOf('fuzz', /\.parquet$/)],
    read: (name, bytes) => readParquet(memorySource(name, bytes)),
  },
  {
    reader: 'arrow',
    seeds: [...seedsOf('arrow', /\.(arrow|feather)$/), ...seedsOf('fuzz', /\.(arrow|feather)$/)],
    read: (name, bytes) => readArrow(memorySource(name, bytes), LIMITS),
  },
];

interface Report {
  readonly cases: number;
  readonly refused: number;
  readonly failure?: string;
}

/** Worker side: fuzz one reader, publishing each input (length, then bytes) before reading it. */
async function fuzzInWorker(reader: string, progress: Int32Array, inputBytes: Uint8Array): Promise<Report> {
  const target = targets.find((candidate) => candidate.reader === reader)!;
  const next = random(SEED + reader.length);
  const started = Date.now();
  let cases = 0;
  let refused = 0;
  while (Date.now() - started < BUDGET_MS && cases < MAX_CASES) {
    const seed = target.seeds[cases % target.seeds.length]!;
    const input = mutate(seed.bytes, next).subarray(0, MAX_INPUT_BYTES);
    const name = `fuzz-${cases}-${seed.name}`;
    inputBytes.set(input);
    Atomics.store(progress, 1, input.length);
    Atomics.store(progress, 0, cases + 1);
    cases++;
    try {
      await target.read(name, input);
    } catch (error) {
      const problem = !(error instanceof DataFileError)
        ? `${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`
        : !error.message.startsWith(`${name}: `) || error.message.includes('\n')
          ? `not one line naming the file: ${JSON.stringify(error.message)}`
          : undefined;
      if (problem) return { cases, refused, failure: `${name} (mutant of ${seed.name}): ${problem}` };
      refused++;
    }
  }
  return { cases, refused };
}

if (!isMainThread && workerData?.fuzzReader) {
  const { fuzzReader, progress, input } = workerData as { fuzzReader: string; progress: SharedArrayBuffer; input: SharedArrayBuffer };
  void fuzzInWorker(fuzzReader, new Int32Array(progress), new Uint8Array(input)).then((report) => parentPort!.postMessage(report));
}

/** Main side: run a reader's fuzzing in a worker and stop it when one input takes too long. */
function fuzzReader(reader: string): Promise<Report & { readonly stuck?: string }> {
  const progress = new SharedArrayBuffer(8);
  const input = new SharedArrayBuffer(MAX_INPUT_BYTES);
  const counters = new Int32Array(progress);
  const worker = new Worker(__filename, { workerData: { fuzzReader: reader, progress, input }, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
  return new Promise((resolve) => {
    let lastCase = -1;
    let since = Date.now();
    const saveInput = (why: string) => {
      const length = Atomics.load(counters, 1);
      const folder = join(__dirname, '..', '..', '..', 'fuzz-failures');
      mkdirSync(folder, { recursive: true });
      const file = join(folder, `${reader}-case-${Atomics.load(counters, 0)}`);
      writeFileSync(file, new Uint8Array(input, 0, length));
      return `${reader} input ${Atomics.load(counters, 0)} ${why}; saved to ${file}`;
    };
    const watchdog = setInterval(() => {
      const current = Atomics.load(counters, 0);
      if (current !== lastCase) {
        lastCase = current;
        since = Date.now();
      } else if (Date.now() - since > PER_INPUT_MS) {
        clearInterval(watchdog);
        const stuck = saveInput(`took over ${PER_INPUT_MS} ms`);
        void worker.terminate().then(() => resolve({ cases: current, refused: 0, stuck }));
      }
    }, 100);
    worker.once('message', (report: Report) => {
      clearInterval(watchdog);
      void worker.terminate().then(() => resolve(report));
    });
    worker.once('error', (error) => {
      clearInterval(watchdog);
      resolve({ cases: Atomics.load(counters, 0), refused: 0, stuck: saveInput(`crashed the worker (${error.message})`) });
    });
  });
}

if (isMainThread) {
  describe(`fuzzing every reader (${BUDGET_MS} ms each, in a worker with a ${WORKER_HEAP_MB} MB heap)`, () => {
    for (const target of targets) {
      it(`${target.reader}: every mutant of ${target.seeds.length} files reads or fails with one DataFileError line, within ${PER_INPUT_MS} ms`, async () => {
        assert.ok(target.seeds.length > 0, 'seeded with real fixtures');
        const report = await fuzzReader(target.reader);
        assert.equal(report.stuck, undefined);
        assert.equal(report.failure, undefined);
        console.log(`fuzz ${target.reader}: ${report.cases} inputs, ${report.refused} refused, ${report.cases - report.refused} read`);
        assert.ok(report.cases >= target.seeds.length, 'every seed was mutated at least once');
      });
    }
  });
}
