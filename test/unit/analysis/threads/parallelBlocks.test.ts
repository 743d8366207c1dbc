import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { analyzeSource } from '../../../../src/analysis/sources/analyzeSource';
import { analyzeOnThreads } from '../../../../src/analysis/analyzeOnThreads';
import { tensorBlocks } from '../../../../src/analysis/threads/parallelBlocks';
import type { ScoringJob } from '../../../../src/analysis/threads/scoringProtocol';
import { KeptScoringPool, ScoringPool, scoringThreadsFor } from '../../../../src/analysis/threads/scoringPool';
import { runScoringJob } from '../../../../src/analysis/threads/scoringJobs';
import type { Analysis, AnalysisOptions } from '../../../../src/analysis/results';
import { describeError } from '../../../../src/readers/errors';
import { npyDataStart, npyFile, repeatNpy } from '../../../helpers/bigFiles';
import { assertClose, classification, fixturePath, readJson, REPO_ROOT } from '../../../helpers/fixtures';

// Big files (past the 8 MB at which threads start) made of the fixtures' rows repeated, so
// their cross-entropy is still the one PyTorch computed for the fixture; each is analysed on
// two scoring threads and on this thread alone, and the two analyses must agree in full.

const SCORING_THREAD = join(REPO_ROOT, 'dist', 'scoringThread.js');
const dir = mkdtempSync(join(tmpdir(), 'likelihood-lens-parallel-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface ExpectedClassifier {
  readonly crossEntropy: number;
  readonly logLikelihood: number;
  readonly accuracy: number;
}
const classifierExpected = readJson<Record<string, ExpectedClassifier>>(fixturePath('classifier', 'expected.json'));
const uncertaintyExpected = readJson<{ logitsCsv: { m2: number } }>(fixturePath('uncertainty', 'expected.json'));
const evalExpected = readJson<Record<string, ExpectedClassifier>>(fixturePath('eval', 'expected.json'));

/** The fixture's header and its data lines repeated `times` times, with `edit` applied to the data lines (0-based). */
function repeatedCsv(fixture: string, times: number, edit: (lines: string[]) => void = () => {}): { path: string; lines: string[] } {
  const [header, ...rows] = readFileSync(fixturePath('classifier', fixture), 'utf8').trimEnd().split('\n');
  const lines: string[] = [];
  for (let t = 0; t < times; t++) lines.push(...rows);
  edit(lines);
  const path = join(dir, `${times}x-${fixture}`);
  writeFileSync(path, `${header}\n${lines.join('\n')}\n`);
  return { path, lines };
}

async function analyzeBoth(path: string): Promise<{ threaded: Analysis; single: Analysis }> {
  const pool = new ScoringPool({ script: SCORING_THREAD, count: 2 });
  try {
    const threaded = await analyzeSource({ kind: 'path', path }, {}, {}, { pool });
    assert.ok(pool.jobsRun >= 2, `${path}: the threads scored ${pool.jobsRun} blocks`);
    const single = await analyzeSource({ kind: 'path', path });
    return { threaded, single };
  } finally {
    await pool.close();
  }
}

async function errorOf(path: string, pool?: ScoringPool, options: AnalysisOptions = {}): Promise<string> {
  try {
    await analyzeSource({ kind: 'path', path }, options, {}, pool ? { pool } : {});
  } catch (error) {
    return describeError(error);
  }
  throw new Error(`${path} was read without an error`);
}

async function errorsBoth(path: string, options: AnalysisOptions = {}): Promise<{ threaded: string; single: string }> {
  const pool = new ScoringPool({ script: SCORING_THREAD, count: 2 });
  try {
    return { threaded: await errorOf(path, pool, options), single: await errorOf(path, undefined, options) };
  } finally {
    await pool.close();
  }
}

/** Equal in every field; numbers to 1e-14 relative, since blocks may end on other rows than one thread's batches. */
function assertSameAnalysis(actual: unknown, expected: unknown, where = 'analysis'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (Number.isNaN(expected)) assert.ok(Number.isNaN(actual), where);
    else if (actual !== expected) assertClose(actual, expected, 1e-14, where);
    return;
  }
  if (expected === null || typeof expected !== 'object') return assert.equal(actual, expected, where);
  assert.equal(typeof actual, 'object', where);
  const keys = Object.keys(expected as object);
  assert.deepEqual(Object.keys(actual as object), keys, `${where}: keys`);
  for (const key of keys) assertSameAnalysis((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${where}.${key}`);
}

describe('big files scored on threads', () => {
  it('a CSV of logits: PyTorch cross-entropy, and the same analysis as one thread', async () => {
    const times = 300;
    const { path } = repeatedCsv('logits.csv', times);
    const { threaded, single } = await analyzeBoth(path);
    const expected = classifierExpected['logits.csv']!;
    const summary = classification(threaded).summary;
    assert.equal(summary.n, 300 * times);
    assertClose(summary.crossEntropy, expected.crossEntropy, 1e-12, 'cross-entropy');
    assertClose(summary.logLikelihood, times * expected.logLikelihood, 1e-12, 'log-likelihood');
    assertClose(summary.accuracy, expected.accuracy, 1e-12, 'accuracy');
    // The fixture's rows `times` over: m2 grows `times`-fold, so std(ddof 1) / sqrt n is numpy's m2 rescaled.
    const rows = 300 * times;
    const se = Math.sqrt((times * uncertaintyExpected.logitsCsv.m2) / (rows - 1) / rows);
    assert.ok(Math.abs(summary.crossEntropyStdError - se) <= 1e-9 * se, `standard error ${summary.crossEntropyStdError} against ${se}`);
    assertSameAnalysis(threaded, single);
  });

  it('a CSV of probabilities with CRLF, blank lines, a zero probability and a row off 1: the same analysis as one thread, lines included', async () => {
    const { path } = repeatedCsv('basic.csv', 700, (lines) => {
      for (let i = 0; i < lines.length; i += 997) lines[i] = `${lines[i]}\r`;
      lines[90_000] = '0,0,0.5,0.25,0.25';
      lines[100_000] = '1,0.5,0.6,0,0';
      lines.splice(50_000, 0, '', '  ');
    });
    const { threaded, single } = await analyzeBoth(path);
    assert.equal(classification(threaded).summary.crossEntropy, Infinity);
    assertSameAnalysis(threaded, single);
    // Data line i is on line i + 2, and two blank lines were put before data line 50,000.
    assert.ok(
      threaded.warnings.some((warning) => warning.includes('give the true class probability 0') && warning.includes('line 90004')),
      threaded.warnings.join('\n'),
    );
    assert.ok(
      threaded.warnings.some((warning) => warning.includes('do not sum to 1') && warning.includes('line 100004')),
      threaded.warnings.join('\n'),
    );
    const worst = classification(threaded).plots.worstRows;
    assert.ok(worst.length > 0 && worst.every((row) => row.line !== undefined), 'worst rows carry their lines');
  });

  it('leading rows that look like probabilities and a head that decides logits: the threads start again, with the same result as one thread', async () => {
    // The first 12,000 rows (the sniffed sample) are distributions; most of the first 65,536 are logits.
    const [header, ...probabilityRows] = readFileSync(fixturePath('classifier', 'basic.csv'), 'utf8').trimEnd().split('\n');
    const lines: string[] = [];
    while (lines.length < 12_000) lines.push(...probabilityRows);
    for (let i = 0; lines.length < 500_000; i++) lines.push(`${i % 4},${((i % 7) - 3) * 0.75},${(i % 5) * 0.5},-1.25,${(i % 3) * 1.5}`);
    const path = join(dir, 'probabilities-then-logits.csv');
    writeFileSync(path, `${header}\n${lines.join('\n')}\n`);
    const pool = new ScoringPool({ script: SCORING_THREAD, count: 2 });
    let threaded;
    try {
      threaded = classification(await analyzeSource({ kind: 'path', path }, {}, {}, { pool }));
      // Jobs of 4 MB for the whole file, and those started on the guess before it was dropped.
      assert.ok(pool.jobsRun > Math.ceil(statSync(path).size / (4 << 20)), `${pool.jobsRun} jobs`);
    } finally {
      await pool.close();
    }
    assert.equal(threaded.roles.kind, 'logits', threaded.roles.kindReason);
    // The rows repeat, so many are as near the mean as the worked example's: compare the numbers.
    const single = classification(await analyzeSource({ kind: 'path', path }));
    assertSameAnalysis(threaded.roles, single.roles, 'roles');
    assertSameAnalysis(threaded.summary, single.summary, 'summary');
    assertSameAnalysis(threaded.plots.reliability, single.plots.reliability, 'reliability');
  });

  it('progress only moves forward, to 1, and the cross-entropy so far comes with it', async () => {
    const { path } = repeatedCsv('logits.csv', 300);
    const fractions: number[] = [];
    const partials: { rows: number; crossEntropy: number }[] = [];
    const pool = new ScoringPool({ script: SCORING_THREAD, count: 2 });
    let analysis;
    try {
      analysis = await analyzeSource(
        { kind: 'path', path },
        {},
        {},
        { pool, onProgress: (fraction) => fractions.push(fraction), onPartial: (partial) => partials.push(partial) },
      );
    } finally {
      await pool.close();
    }
    assert.ok(fractions.length >= 2, `${fractions.length} progress reports`);
    fractions.forEach((fraction, i) => assert.ok(i === 0 || fraction > fractions[i - 1]!, `report ${i}: ${fraction} after ${fractions[i - 1]}`));
    assert.equal(fractions.at(-1), 1);
    assert.ok(partials.length >= 2 && partials.every((partial, i) => i === 0 || partial.rows > partials[i - 1]!.rows), 'partials grow');
    assert.equal(partials.at(-1)!.rows, 90_000);
    assertClose(partials.at(-1)!.crossEntropy, classification(analysis).summary.crossEntropy, 1e-15, 'the last partial is the result');
  });

  it('a quoted field deep in the file: the general parser takes over from there, with the same result', async () => {
    const { path } = repeatedCsv('logits.csv', 300, (lines) => {
      const fields = lines[70_000]!.split(',');
      lines[70_000] = [`"${fields[0]}"`, ...fields.slice(1)].join(',');
    });
    const { threaded, single } = await analyzeBoth(path);
    assertClose(classification(threaded).summary.crossEntropy, classifierExpected['logits.csv']!.crossEntropy, 1e-12, 'cross-entropy');
    assertSameAnalysis(threaded, single);
  });

  for (const [what, edit, expected] of [
    [
      'a word in a number column',
      (lines: string[]) => (lines[80_123] = lines[80_123]!.replace(/,[^,]*$/, ',abc')),
      "line 80125, column 6 (logit_4): 'abc' is not a number",
    ],
    [
      'a label that is not a class',
      (lines: string[]) => (lines[61_000] = lines[61_000]!.replace(/^\d+/, '7')),
      'line 61002: label 7 is not a class index in 0..4',
    ],
    ['a ragged row', (lines: string[]) => (lines[88_888] = lines[88_888]!.replace(/,[^,]*$/, '')), 'line 88890: expected 6 fields, found 5'],
  ] as const) {
    it(`${what} deep in the file: the same one-line message, naming the line`, async () => {
      const { path } = repeatedCsv('logits.csv', 300, edit);
      const { threaded, single } = await errorsBoth(path);
      assert.equal(threaded, single);
      assert.ok(threaded.includes(expected), threaded);
    });
  }

  it('a byte that is not UTF-8 deep in the file: the same one-line message, naming the line', async () => {
    const { path, lines } = repeatedCsv('logits.csv', 300, (rows) => (rows[77_777] = rows[77_777]!.replace(/,/, ',x')));
    // Replace that 'x' with a Latin-1 e-acute byte, which is not UTF-8 on its own.
    const bytes = readFileSync(path);
    const header = bytes.indexOf(0x0a) + 1;
    const at = header + lines.slice(0, 77_777).reduce((total, line) => total + line.length + 1, 0) + lines[77_777]!.indexOf('x');
    bytes[at] = 0xe9;
    writeFileSync(path, bytes);
    const { threaded, single } = await errorsBoth(path);
    assert.equal(threaded, single);
    assert.ok(threaded.includes('line 77779: not UTF-8 text'), threaded);
  });

  it('a .npy pair: PyTorch cross-entropy and the same analysis as one thread; a NaN is left out and named by its row, or refused when strict', async () => {
    const times = 1000;
    const logits = repeatNpy(fixturePath('eval', 'logits.npy'), times);
    const labels = repeatNpy(fixturePath('eval', 'labels.npy'), times);
    const logitsPath = join(dir, 'logits.npy');
    writeFileSync(logitsPath, logits);
    writeFileSync(join(dir, 'labels.npy'), labels);
    const { threaded, single } = await analyzeBoth(logitsPath);
    const summary = classification(threaded).summary;
    assert.equal(summary.n, 300 * times);
    assertClose(summary.crossEntropy, evalExpected['logits.npy']!.crossEntropy, 1e-12, 'cross-entropy');
    assertSameAnalysis(threaded, single);

    // Row 234,567 (in the threads' part): float32 NaN in its third logit.
    const view = new DataView(logits.buffer, logits.byteOffset);
    view.setUint32(npyDataStart(logits) + (234_567 * 5 + 2) * 4, 0x7fc00000, true);
    writeFileSync(logitsPath, logits);
    const left = await analyzeBoth(logitsPath);
    assert.equal(classification(left.threaded).summary.n, 300 * times - 1);
    assert.ok(
      left.threaded.warnings.includes("1 row with a missing value (NaN, null or an empty cell) was left out: tensor 'logits' row 234567."),
      left.threaded.warnings.join('\n'),
    );
    assertSameAnalysis(left.threaded, left.single);
    const { threaded: message, single: alone } = await errorsBoth(logitsPath, { strictMissing: true });
    assert.equal(message, alone);
    assert.ok(message.includes("tensor 'logits' row 234567: a logit is NaN"), message);
  });

  it('a CSV with missing values in its head and deep in the file: the counts, the lines named and the figures of one thread', async () => {
    const missing = readJson<Record<string, { n: number; missing: number; missingRows: number[]; crossEntropy: number; sum: number; accuracy: number }>>(
      fixturePath('missing', 'expected.json'),
    )['classifier.csv']!;
    const [header, ...rows] = readFileSync(fixturePath('missing', 'classifier.csv'), 'utf8').trimEnd().split('\n');
    // Past the 8 MB at which threads start.
    const times = Math.ceil((9 * 2 ** 20) / (rows.join('\n').length + 1));
    const path = join(dir, 'missing.csv');
    writeFileSync(path, `${header}\n${Array.from({ length: times }, () => rows.join('\n')).join('\n')}\n`);
    assert.ok(statSync(path).size > 8 * 2 ** 20);
    const { threaded, single } = await analyzeBoth(path);
    const summary = classification(threaded).summary;
    assert.equal(summary.n, times * missing.n);
    assert.equal(threaded.file.rows, times * rows.length);
    assertClose(summary.crossEntropy, missing.crossEntropy, 1e-12, 'cross-entropy');
    assertClose(-summary.logLikelihood, times * missing.sum, 1e-12, "reduction='sum'");
    assertClose(summary.accuracy, missing.accuracy, 1e-12, 'accuracy');
    // Copy c's row r is on line 2 + c * rows + r; the first 20 are named.
    const lines = Array.from({ length: times }, (_, c) => missing.missingRows.map((r) => 2 + c * rows.length + r))
      .flat()
      .slice(0, 20);
    const count = times * missing.missing;
    assert.ok(
      threaded.warnings.includes(
        `${count} rows with a missing value (NaN, null or an empty cell) were left out: lines ${lines.join(', ')} and ${count - 20} more.`,
      ),
      threaded.warnings.join('\n'),
    );
    assertSameAnalysis(threaded, single);
  });
});

describe('scoring threads', () => {
  it('two on two cores or more, or as many as LIKELIHOOD_LENS_THREADS says (up to eight); none below two', () => {
    assert.deepEqual(scoringThreadsFor('w.js', 2, undefined), { script: 'w.js', count: 2 });
    assert.deepEqual(scoringThreadsFor('w.js', 16, undefined), { script: 'w.js', count: 2 });
    assert.equal(scoringThreadsFor('w.js', 1, undefined), undefined);
    assert.deepEqual(scoringThreadsFor('w.js', 2, '3'), { script: 'w.js', count: 3 });
    assert.deepEqual(scoringThreadsFor('w.js', 2, '64'), { script: 'w.js', count: 8 });
    assert.equal(scoringThreadsFor('w.js', 8, '1'), undefined);
    assert.equal(scoringThreadsFor('w.js', 8, 'many'), undefined);
    assert.deepEqual(scoringThreadsFor('w.js', 8, ' '), { script: 'w.js', count: 2 });
  });

  it('an analysis whose threads fail is done again on one thread, with the same result', async () => {
    const { path } = repeatedCsv('logits.csv', 300);
    const fallen = await analyzeOnThreads({ kind: 'path', path }, {}, {}, {}, { script: fixturePath('workers', 'dies.js'), count: 2 });
    assertClose(classification(fallen).summary.crossEntropy, classifierExpected['logits.csv']!.crossEntropy, 1e-12, 'cross-entropy');
    assertSameAnalysis(fallen, await analyzeSource({ kind: 'path', path }));
    // A kept pool that lost a thread is replaced for the next analysis.
    const kept = new KeptScoringPool({ script: fixturePath('workers', 'dies.js'), count: 2 });
    const failing = kept.get();
    assertSameAnalysis(await analyzeOnThreads({ kind: 'path', path }, {}, {}, {}, kept), fallen);
    assert.equal(failing.usable, false);
    const replacement = kept.get();
    assert.notEqual(replacement, failing);
    await Promise.all([failing.close(), replacement.close()]);
    // A bad file is still refused once, with its own message, not a thread's.
    const bad = repeatedCsv('logits.csv', 300, (lines) => (lines[70_000] = lines[70_000]!.replace(/^\d+/, '9'))).path;
    await assert.rejects(
      analyzeOnThreads({ kind: 'path', path: bad }, {}, {}, {}, { script: SCORING_THREAD, count: 2 }),
      /line 70002: label 9 is not a class index in 0\.\.4/,
    );
  });

  it('a tensor of 40 classes is scored in blocks of fewer rows, with the same analysis as one thread', async () => {
    // The fixture's 5 logits side by side 8 times: 40 classes, labels 0..4.
    const source = readFileSync(fixturePath('eval', 'logits.npy'));
    const start = npyDataStart(source);
    const logits = new Float32Array(source.buffer.slice(source.byteOffset + start, source.byteOffset + source.length));
    const rows = 100_000;
    const wide = new Float32Array(rows * 40);
    for (let i = 0; i < rows; i++) for (let j = 0; j < 40; j++) wide[i * 40 + j] = logits[(i % 300) * 5 + (j % 5)]! - Math.floor(j / 5) * 0.25;
    const folder = join(dir, 'wide');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'logits.npy'), npyFile('<f4', [rows, 40], wide));
    const labels = repeatNpy(fixturePath('eval', 'labels.npy'), Math.ceil(rows / 300));
    writeFileSync(
      join(folder, 'labels.npy'),
      npyFile(
        '<i8',
        [rows],
        new BigInt64Array(labels.buffer.slice(labels.byteOffset + npyDataStart(labels), labels.byteOffset + npyDataStart(labels) + rows * 8)),
      ),
    );
    const pool = new ScoringPool({ script: SCORING_THREAD, count: 2 });
    try {
      const threaded = await analyzeSource({ kind: 'path', path: join(folder, 'logits.npy') }, {}, {}, { pool });
      // 2^20 values a block: 26,214 rows of 40, so 4 blocks where 65,536-row blocks would be 2.
      assert.ok(pool.jobsRun >= 4, `${pool.jobsRun} jobs`);
      assertSameAnalysis(threaded, await analyzeSource({ kind: 'path', path: join(folder, 'logits.npy') }));
    } finally {
      await pool.close();
    }
  });

  it('a thread that dies in the middle of a big file: the file is analysed again on one thread, and nothing is left unhandled', async () => {
    // Over 16 blocks of 65,536 rows, so jobs are still being sent when the failure is known.
    const times = 4000;
    const logitsPath = join(dir, 'midway', 'logits.npy');
    mkdirSync(dirname(logitsPath), { recursive: true });
    writeFileSync(logitsPath, repeatNpy(fixturePath('eval', 'logits.npy'), times));
    writeFileSync(join(dirname(logitsPath), 'labels.npy'), repeatNpy(fixturePath('eval', 'labels.npy'), times));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const analysis = await analyzeOnThreads(
        { kind: 'path', path: logitsPath },
        {},
        {},
        {},
        { script: fixturePath('workers', 'diesAtRow65536.js'), count: 2 },
      );
      assertSameAnalysis(analysis, await analyzeSource({ kind: 'path', path: logitsPath }));
      // Jobs queued behind the failure are rejected too: give those rejections a turn to surface.
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    assert.deepEqual(unhandled.map(describeError), []);
  });

  it('jobs still queued when their reader stops are skipped by the threads', async () => {
    const k = 2;
    const n = 20 * 65_536;
    const labels = new Float64Array(new SharedArrayBuffer(8 * n));
    const values = new Float64Array(new SharedArrayBuffer(8 * n * k));
    const jobs: ScoringJob[] = [];
    // A pool that answers at once, and keeps the jobs it was given.
    const pool = { size: 2, run: (job: ScoringJob) => (jobs.push(job), Promise.resolve(runScoringJob(job))) } as unknown as ScoringPool;
    for await (const block of tensorBlocks(labels, values, k, 0, { kind: 'logits' }, pool)) {
      assert.equal(block.firstRow, 0);
      break;
    }
    assert.ok(jobs.length > 1, `${jobs.length} jobs sent`);
    for (const job of jobs) assert.deepEqual(runScoringJob(job), { type: 'dropped' });
  });

  it('a thread that dies fails the jobs it had, with a message, and the pool takes no more; nor does a closed pool', async () => {
    const pool = new ScoringPool({ script: fixturePath('workers', 'dies.js'), count: 1 });
    const job = { type: 'rows', labels: new Float64Array(1), values: new Float64Array(2), from: 0, to: 1, k: 2, crossEntropy: { kind: 'logits' } } as const;
    try {
      await assert.rejects(pool.run(job), /a scoring thread stopped \(exit code 3\)/);
      assert.equal(pool.usable, false);
      // Refused at once: a job sent to a thread that has stopped would never be answered.
      await assert.rejects(pool.run(job), /a scoring thread stopped \(exit code 3\)/);
    } finally {
      await pool.close();
    }
    await assert.rejects(pool.run(job), /closed/);
  });

  it('a pool kept from one analysis to the next gives each the analysis a pool of its own gives', async () => {
    const { path } = repeatedCsv('logits.csv', 300);
    const kept = new KeptScoringPool({ script: SCORING_THREAD, count: 2 });
    const pool = kept.get();
    try {
      const first = await analyzeOnThreads({ kind: 'path', path }, {}, {}, {}, kept);
      const again = await analyzeOnThreads({ kind: 'path', path }, {}, {}, {}, kept);
      assert.equal(kept.get(), pool, 'the same threads');
      assert.ok(pool.usable && pool.jobsRun >= 4, `${pool.jobsRun} jobs on the kept pool`);
      const own = await analyzeOnThreads({ kind: 'path', path }, {}, {}, {}, { script: SCORING_THREAD, count: 2 });
      assertSameAnalysis(first, own);
      assertSameAnalysis(again, own);
    } finally {
      await pool.close();
    }
    assert.notEqual(kept.get(), pool, 'a closed pool is replaced');
    await kept.get().close();
  });
});
