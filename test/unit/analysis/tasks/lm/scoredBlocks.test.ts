// A language model's logits scored on two scoring threads and on this thread alone: every
// fixture of test/fixtures/lm and big files of several blocks per sequence give the same
// analysis to the last bit, and progress, cancellation and bad values behave as on one thread.
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyzeOnThreads } from '../../../../../src/analysis/analyzeOnThreads';
import { analyzeSource } from '../../../../../src/analysis/sources/analyzeSource';
import { findTokenizer, languageModelTensors } from '../../../../../src/analysis/sources/languageModelFile';
import { readWithPartner } from '../../../../../src/analysis/sources/tensorFile';
import type { Analysis, AnalysisOptions, LanguageModelAnalysis } from '../../../../../src/analysis/results';
import { analyzeLanguageModel, type LanguageModelInput, type LanguageModelStream } from '../../../../../src/analysis/tasks/lm/analyze';
import { runScoringJob } from '../../../../../src/analysis/threads/scoringJobs';
import { ScoringPool } from '../../../../../src/analysis/threads/scoringPool';
import { LM_BLOCK_VALUES, LM_JOB_VALUES } from '../../../../../src/analysis/sizes';
import { setKernelEnabled } from '../../../../../src/engine/kernel/logSumExpKernel';
import { NO_TARGET } from '../../../../../src/engine/tokens/alignment';
import { DEFAULT_LIMITS } from '../../../../../src/readers/limits';
import { describeError } from '../../../../../src/readers/errors';
import { chooseRoles } from '../../../../../src/roles/chooseRoles';
import { isLanguageModelRoles } from '../../../../../src/roles/chosenRoles';
import { defaultAlignment } from '../../../../../src/roles/vocabulary';
import { npyDataStart } from '../../../../helpers/bigFiles';
import { fixturePath, REPO_ROOT } from '../../../../helpers/fixtures';
import { lmCase, lmExpected, lmFixture, writeBigLogits } from '../../../../helpers/languageModelFiles';
import { assertRelative } from '../../../engine/engineFixtures';

const SCORING_THREAD = join(REPO_ROOT, 'dist', 'scoringThread.js');
const folder = mkdtempSync(join(tmpdir(), 'likelihood-lens-lm-threads-'));
const pool = new ScoringPool({ script: SCORING_THREAD, count: 2 });
after(async () => {
  await pool.close();
  rmSync(folder, { recursive: true, force: true });
});

/** The case's own alignment, asked for only when its target's name calls for the other one. */
function optionsFor(c: any): AnalysisOptions {
  return defaultAlignment(c.targets).shift === c.shift ? {} : { shift: c.shift };
}

/** A fixture's language model input as analyzeTensors builds it, its tensors in memory or left in the file. */
async function inputOf(path: string, options: AnalysisOptions, leftInFile: boolean): Promise<LanguageModelInput> {
  const { file } = await readWithPartner(path, options, undefined, DEFAULT_LIMITS, leftInFile ? { leaveInFileFrom: 1 } : {});
  const roles = chooseRoles({ kind: 'tensors', file }, basename(path), options);
  assert.ok(isLanguageModelRoles(roles), `${path}: read as ${roles.task}`);
  const { tokenizer, warning } = roles.target !== undefined ? await findTokenizer(path, options) : {};
  return {
    tensors: languageModelTensors(basename(path), roles, options),
    format: file.format,
    roles,
    choices: file.tensors.map((tensor) => tensor.name),
    readerWarnings: file.warnings,
    ...(tokenizer ? { tokenizer } : {}),
    ...(warning ? { tokenizerWarning: warning } : {}),
  };
}

/** The analysis on the pool's threads and on this thread, and how many jobs the threads ran. */
async function analyzeBoth(
  path: string,
  options: AnalysisOptions,
  leftInFile: boolean,
  stream: LanguageModelStream = {},
): Promise<{ threaded: LanguageModelAnalysis; single: LanguageModelAnalysis; jobs: number }> {
  const before = pool.jobsRun;
  const threaded = await analyzeLanguageModel(await inputOf(path, options, leftInFile), options, { ...stream, pool });
  const jobs = pool.jobsRun - before;
  const single = await analyzeLanguageModel(await inputOf(path, options, leftInFile), options, stream);
  return { threaded, single, jobs };
}

function languageModel(analysis: Analysis): LanguageModelAnalysis {
  assert.equal(analysis.task, 'lm', `read as ${analysis.task}`);
  return analysis as LanguageModelAnalysis;
}

async function errorOf(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    return describeError(error);
  }
  throw new Error('read without an error');
}

describe('language model logits on scoring threads: the same analysis as one thread', () => {
  for (const c of lmExpected.cases) {
    for (const leftInFile of [false, true]) {
      it(`${c.file} (${c.dtype}, ${c.shift ? 'shifted' : 'unshifted'}${c.mask ? `, ${c.mask}` : ''}), ${leftInFile ? 'left in the file' : 'in memory'}`, async () => {
        const options = { ...optionsFor(c), keepRowLosses: true };
        const { threaded, single, jobs } = await analyzeBoth(lmFixture(c.file), options, leftInFile);
        assert.equal(jobs, 1, 'one block, scored on a thread');
        assert.deepStrictEqual(threaded, single);
        // And both are PyTorch's numbers.
        assertRelative(threaded.summary.crossEntropy, c.crossEntropy, 1e-9, 'cross-entropy');
        assertRelative(threaded.summary.otherAlignmentCrossEntropy!, c.otherAlignmentCrossEntropy, 1e-9, 'other alignment');
      });
    }
  }

  it('bfloat16 and float16 logits left in the file, scored as their raw halves, give the analysis of the decoded logits, with the kernel on and off', async () => {
    let checked = 0;
    for (const c of lmExpected.cases) {
      if (c.dtype !== 'bfloat16' && c.dtype !== 'float16') continue;
      const options = { ...optionsFor(c), keepRowLosses: true };
      const input = await inputOf(lmFixture(c.file), options, true);
      // Only a tensor left where its bytes lie as stored is read as halves (not a deflated .npz member).
      if (!input.tensors.predictions.stored) continue;
      const inMemory = await analyzeLanguageModel(await inputOf(lmFixture(c.file), options, false), options);
      assert.deepStrictEqual(await analyzeLanguageModel(input, options), inMemory, c.file);
      setKernelEnabled(false);
      try {
        const withoutKernel = await analyzeLanguageModel(await inputOf(lmFixture(c.file), options, true), options);
        assertRelative(withoutKernel.summary.crossEntropy, inMemory.summary.crossEntropy, 1e-13, `${c.file} without the kernel`);
        assert.deepStrictEqual(
          withoutKernel,
          await analyzeLanguageModel(await inputOf(lmFixture(c.file), options, false), options),
          `${c.file} without the kernel`,
        );
      } finally {
        setKernelEnabled(true);
      }
      checked++;
    }
    assert.ok(checked >= 4, `${checked} half-precision fixtures left in their file`);
  });

  it('per-token log-probabilities stay on this thread', async () => {
    const before = pool.jobsRun;
    const path = lmFixture('token_logprobs.pt');
    const threaded = await analyzeLanguageModel(await inputOf(path, {}, true), {}, { pool });
    assert.equal(pool.jobsRun, before);
    assert.deepStrictEqual(threaded, await analyzeLanguageModel(await inputOf(path, {}, true), {}));
  });

  describe('a [4, 1104, 4096] float16 file: blocks of 1,024 positions, two per sequence, the first scored in four parts', () => {
    const [B, T, V] = [4, 1104, 4096];
    const positionsPerBlock = Math.floor(LM_BLOCK_VALUES / V);
    const blocksPerSequence = Math.ceil(T / positionsPerBlock);
    // Each block is scored in parts of at most LM_JOB_VALUES values: 4 of 256 positions, then 1 of 80.
    const jobsPerSequence = Math.ceil((positionsPerBlock * V) / LM_JOB_VALUES) + Math.ceil(((T % positionsPerBlock) * V) / LM_JOB_VALUES);
    let big: { logits: string; labels: string };
    before(() => (big = writeBigLogits(folder, [B, T, V])));

    it("unshifted (the fixture's alignment) and shifted, left in the file and in memory, with progress", async () => {
      const c = lmCase('npy_float16/logits.npy');
      for (const leftInFile of [true, false]) {
        for (const options of [{ keepRowLosses: true }, { shift: true }] as AnalysisOptions[]) {
          const progress: number[][] = [[], []];
          const partials: number[][] = [[], []];
          const threaded = await analyzeLanguageModel(await inputOf(big.logits, options, leftInFile), options, {
            pool,
            onProgress: (f) => progress[0]!.push(f),
            onPartial: (p) => partials[0]!.push(p.rows),
          });
          const single = await analyzeLanguageModel(await inputOf(big.logits, options, leftInFile), options, {
            onProgress: (f) => progress[1]!.push(f),
            onPartial: (p) => partials[1]!.push(p.rows),
          });
          assert.deepStrictEqual(threaded, single);
          assert.equal(progress[0]!.length, B * blocksPerSequence);
          assert.deepStrictEqual(progress[0], progress[1]);
          assert.deepStrictEqual(partials[0], partials[1]);
          if (!options.shift) {
            // Each fixture sequence 69 times over: the fixture's numbers.
            assert.equal(threaded.summary.tokens, c.tokens * (T / 16));
            assertRelative(threaded.summary.crossEntropy, c.crossEntropy, 1e-9, 'cross-entropy');
            assertRelative(threaded.summary.accuracy!, c.accuracy, 1e-9, 'accuracy');
          }
        }
      }
    });

    it('through analyzeSource: the threads score it, and it is the analysis without them', async () => {
      const before = pool.jobsRun;
      const threaded = languageModel(await analyzeSource({ kind: 'path', path: big.logits }, {}, {}, { pool }));
      assert.equal(jobsPerSequence, 5);
      assert.equal(pool.jobsRun - before, B * jobsPerSequence);
      assert.deepStrictEqual(threaded, await analyzeSource({ kind: 'path', path: big.logits }));
    });

    it('a small file through analyzeSource is scored on this thread', async () => {
      const before = pool.jobsRun;
      const c = lmCase('lm_float32.safetensors');
      const threaded = await analyzeSource({ kind: 'path', path: lmFixture(c.file) }, optionsFor(c), {}, { pool });
      assert.equal(pool.jobsRun, before);
      assert.deepStrictEqual(threaded, await analyzeSource({ kind: 'path', path: lmFixture(c.file) }, optionsFor(c)));
    });

    it('a thread that dies in the middle: the file is analysed again on one thread, and nothing is left unhandled', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        const analysis = await analyzeOnThreads(
          { kind: 'path', path: big.logits },
          {},
          {},
          {},
          { script: fixturePath('workers', 'diesAtToken1104.js'), count: 2 },
        );
        assert.deepStrictEqual(analysis, await analyzeSource({ kind: 'path', path: big.logits }));
        // Jobs queued behind the failure are rejected too: give those rejections a turn to surface.
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
      assert.deepEqual(unhandled.map(describeError), []);
    });

    it('cancelled at the first block: stops, with the jobs not yet sent never sent', async () => {
      const controller = new AbortController();
      const before = pool.jobsRun;
      const stopped = analyzeSource({ kind: 'path', path: big.logits }, {}, {}, { pool, signal: controller.signal, onProgress: () => controller.abort() });
      await assert.rejects(stopped, /cancelled/);
      assert.ok(pool.jobsRun - before < B * jobsPerSequence, `${pool.jobsRun - before} jobs sent`);
    });

    it('a NaN logit in the third part of the first block of sequence 2, and a target id >= V in sequence 3: the same one-line error as one thread', async () => {
      const flat = 2 * T + 600;
      const bad = join(folder, 'bad');
      mkdirSync(bad);
      const { logits, labels } = writeBigLogits(bad, [B, T, V]);
      const bytes = readFileSync(logits);
      const fd = openSync(logits, 'r+');
      try {
        // float16 NaN at logit 17 of that position.
        writeSync(fd, Uint8Array.of(0x00, 0x7e), 0, 2, npyDataStart(bytes) + (flat * V + 17) * 2);
      } finally {
        closeSync(fd);
      }
      const withPool = await errorOf(analyzeSource({ kind: 'path', path: logits }, {}, {}, { pool }));
      assert.equal(withPool, await errorOf(analyzeSource({ kind: 'path', path: logits })));
      assert.ok(withPool.includes('logits.npy') && withPool.includes('batch 2, position 600') && withPool.includes('logit 17 is NaN'), withPool);
      assert.ok(!withPool.includes('\n'));

      // The bad id comes after the NaN: the NaN is met first, as on one thread.
      const labelBytes = readFileSync(labels);
      const id = 3 * T + 5;
      const lfd = openSync(labels, 'r+');
      try {
        const value = new BigInt64Array([BigInt(V + 7)]);
        writeSync(lfd, new Uint8Array(value.buffer), 0, 8, npyDataStart(labelBytes) + id * 8);
      } finally {
        closeSync(lfd);
      }
      assert.equal(await errorOf(analyzeSource({ kind: 'path', path: logits }, {}, {}, { pool })), withPool);

      // The NaN mended, the bad id is met after every block before its sequence.
      const mended = openSync(logits, 'r+');
      try {
        writeSync(
          mended,
          bytes.subarray(npyDataStart(bytes) + (flat * V + 17) * 2, npyDataStart(bytes) + (flat * V + 17) * 2 + 2),
          0,
          2,
          npyDataStart(bytes) + (flat * V + 17) * 2,
        );
      } finally {
        closeSync(mended);
      }
      const progress: number[] = [];
      const badId = await errorOf(analyzeSource({ kind: 'path', path: logits }, {}, {}, { pool, onProgress: (f: number) => progress.push(f) }));
      assert.equal(badId, await errorOf(analyzeSource({ kind: 'path', path: logits })));
      assert.ok(badId.includes('batch 3, position 5') && badId.includes(`target id ${V + 7}`), badId);
      assert.equal(progress.length, 3 * blocksPerSequence);
    });
  });

  it('a job whose reader has stopped is not run', () => {
    const dropped = new Int32Array(new SharedArrayBuffer(4));
    const job = {
      type: 'tokens' as const,
      logits: new Float32Array(new SharedArrayBuffer(4 * 8)),
      from: 0,
      to: 2,
      vocabulary: 4,
      length: 2,
      targets: Int32Array.of(1, NO_TARGET),
      other: Int32Array.of(NO_TARGET, 2),
      dropped,
    };
    assert.equal(runScoringJob(job).type, 'tokens');
    Atomics.store(dropped, 0, 1);
    assert.deepEqual(runScoringJob(job), { type: 'dropped' });
  });
});
