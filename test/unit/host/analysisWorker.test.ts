import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PartialResult } from '../../../src/analysis/results';
import { AnalysisWorker, CancelledError } from '../../../src/host/analysisWorker';
import { assertClose, classification, fixturePath, readJson, REPO_ROOT } from '../../helpers/fixtures';

const WORKER = join(REPO_ROOT, 'dist', 'worker.js');
const expected = readJson<Record<string, { crossEntropy: number }>>(fixturePath('classifier', 'expected.json'));
const request = (name: string) => ({ source: { kind: 'path' as const, path: fixturePath('classifier', name) }, options: {} });

describe('analysis worker thread', () => {
  // The worker is unref'd so it never keeps the extension host alive; here something must.
  let keepAlive: NodeJS.Timeout;
  before(() => (keepAlive = setInterval(() => undefined, 1000)));
  after(() => clearInterval(keepAlive));

  it('analyses off the calling thread and reports errors as outcomes', async () => {
    const worker = new AnalysisWorker(WORKER);
    try {
      const outcome = await worker.run(request('basic.csv'));
      assertClose(classification(outcome.analysis!).summary.crossEntropy, expected['basic.csv']!.crossEntropy, 1e-12, 'cross-entropy');
      const bad = await worker.run(request('ragged.csv'));
      assert.equal(bad.analysis, undefined);
      assert.equal(bad.error, 'ragged.csv: line 3: expected 3 fields, found 2');
    } finally {
      worker.dispose();
    }
  });

  it('starts each thread in the environment it is given, and restarts in a new one (the kernel switch reaches the worker so)', async () => {
    let kernel = 'off';
    const worker = new AnalysisWorker(fixturePath('workers', 'reportsKernelSwitch.js'), () => ({ ...process.env, LIKELIHOOD_LENS_KERNEL: kernel }));
    try {
      assert.equal((await worker.run(request('basic.csv'))).error, 'kernel off');
      kernel = 'on';
      assert.equal((await worker.run(request('basic.csv'))).error, 'kernel off', 'the running thread keeps its environment');
      worker.restart();
      assert.equal((await worker.run(request('basic.csv'))).error, 'kernel on');
    } finally {
      worker.dispose();
    }
  });

  it('cancelling stops the pass, and the next request starts a fresh thread', async () => {
    const worker = new AnalysisWorker(WORKER);
    try {
      const controller = new AbortController();
      const cancelled = worker.run(request('underflow.csv'), controller.signal);
      controller.abort();
      await assert.rejects(cancelled, CancelledError);
      const after = await worker.run(request('logits.csv'));
      assertClose(classification(after.analysis!).summary.crossEntropy, expected['logits.csv']!.crossEntropy, 1e-12, 'after a cancel');
    } finally {
      worker.dispose();
    }
  });

  it("one worker serves every file: cancelling one file's request leaves the others' to finish", async () => {
    const folder = mkdtempSync(join(tmpdir(), 'likelihood-lens-cancel-'));
    const big = join(folder, 'big.csv');
    writeFileSync(big, `label,p0,p1\n${'1,0.2,0.8\n'.repeat(1_000_000)}`);
    const worker = new AnalysisWorker(WORKER);
    try {
      const controller = new AbortController();
      let started!: () => void;
      const streaming = new Promise<void>((resolve) => (started = resolve));
      const cancelled = worker.run({ source: { kind: 'path', path: big }, options: {} }, controller.signal, () => started());
      const queued = worker.run(request('basic.csv'));
      await streaming;
      controller.abort();
      await assert.rejects(cancelled, CancelledError);
      const outcome = await queued;
      assertClose(classification(outcome.analysis!).summary.crossEntropy, expected['basic.csv']!.crossEntropy, 1e-12, 'the other file, after the cancel');
    } finally {
      worker.dispose();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('a thread that dies fails its request with a message, not a hang', async () => {
    const worker = new AnalysisWorker(fixturePath('workers', 'dies.js'));
    try {
      await assert.rejects(worker.run(request('basic.csv')), /the analysis worker stopped unexpectedly/);
      await assert.rejects(worker.run(request('basic.csv')), /the analysis worker stopped unexpectedly/, 'a new thread is started for the next request');
    } finally {
      worker.dispose();
    }
  });

  it('reports progress through a streamed file', async () => {
    const worker = new AnalysisWorker(WORKER);
    try {
      const fractions: number[] = [];
      const outcome = await worker.run(request('underflow.csv'), undefined, (fraction) => fractions.push(fraction));
      assert.ok(outcome.analysis);
      for (const fraction of fractions) assert.ok(fraction > 0 && fraction <= 1);
    } finally {
      worker.dispose();
    }
  });

  it('shows the cross-entropy of the rows read so far while a big file streams', async () => {
    // A million identical rows: every partial mean must be that one row's loss, -log 0.8.
    const folder = mkdtempSync(join(tmpdir(), 'likelihood-lens-partial-'));
    const path = join(folder, 'same.csv');
    writeFileSync(path, `label,p0,p1\n${'1,0.2,0.8\n'.repeat(1_000_000)}`);
    const worker = new AnalysisWorker(WORKER);
    try {
      const partials: PartialResult[] = [];
      const outcome = await worker.run({ source: { kind: 'path', path }, options: {} }, undefined, (_fraction, partial) => partial && partials.push(partial));
      assert.ok(partials.length > 0, 'a partial result arrived before the end');
      for (const [i, partial] of partials.entries()) {
        assert.ok(partial.rows > 0 && partial.rows <= 1_000_000 && (i === 0 || partial.rows >= partials[i - 1]!.rows), `rows ${partial.rows}`);
        assertClose(partial.crossEntropy, -Math.log(0.8), 1e-15, 'partial cross-entropy');
      }
      assertClose(classification(outcome.analysis!).summary.crossEntropy, -Math.log(0.8), 1e-15, 'final');
      // Again, on the scoring threads the worker kept: the same numbers.
      const again = await worker.run({ source: { kind: 'path', path }, options: {} });
      assert.deepEqual(classification(again.analysis!).summary, classification(outcome.analysis!).summary);
    } finally {
      worker.dispose();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
