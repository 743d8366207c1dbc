import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { serveRequest } from '../../../src/worker/serveRequest';
import { npyDataStart, npyFile } from '../../helpers/bigFiles';
import { fixturePath, REPO_ROOT } from '../../helpers/fixtures';

const folder = mkdtempSync(join(tmpdir(), 'likelihood-lens-inspect-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const inspect = (path: string) => serveRequest({ id: 1, action: 'inspect', source: { kind: 'path', path }, options: {} });

describe("the tensor view's inspection", () => {
  it('decides from the roles whether the loss panel can use the file, without analysing it', async () => {
    // logits.npy beside labels.npy whose row 3 holds class 99 of 10: the roles are whole, so
    // the panel can open (and name the bad row); an analysis would have failed on that row.
    copyFileSync(fixturePath('eval', 'logits.npy'), join(folder, 'logits.npy'));
    const labels = readFileSync(fixturePath('eval', 'labels.npy'));
    const values = new BigInt64Array(labels.buffer.slice(labels.byteOffset + npyDataStart(labels), labels.byteOffset + labels.byteLength));
    values[3] = 99n;
    writeFileSync(join(folder, 'labels.npy'), npyFile('<i8', [values.length], values));
    const outcome = await inspect(join(folder, 'logits.npy'));
    assert.equal(outcome.error, undefined);
    assert.equal(outcome.summary?.tensors[0]?.name, 'logits');
    assert.equal(outcome.analysable, true);
  });

  it('a lone [n] tensor is a fit and a lone unnamed [n, K] tensor of non-probabilities has nothing to analyse', async () => {
    assert.equal((await inspect(fixturePath('tensors', 'int64.npy'))).analysable, true);
    assert.equal((await inspect(fixturePath('tensors', 'float32.npy'))).analysable, false);
  });
});

describe('the Problems of an editor buffer', () => {
  const sample = readFileSync(join(REPO_ROOT, 'media', 'samples', 'classifier.csv'));
  const analyze = (text: Uint8Array, options: { target?: string; predictions?: string[] }) =>
    serveRequest({ id: 1, source: { kind: 'bytes', name: 'classifier.csv', bytes: text }, options, wantProblems: true });

  it('come from the file and the detected roles, never from a choice made in the panel', async () => {
    // Unticking p2 in the panel makes label 2 out of range: the panel's analysis fails, the file has no problem.
    const chosen = await analyze(sample, { target: 'label', predictions: ['p0', 'p1'] });
    assert.match(chosen.error ?? '', /^classifier\.csv: line 5: label 2 is not a class index/);
    assert.deepEqual(chosen.problems, []);
    // A bad cell in the file is a problem whatever the panel chose, at its line (0-based in the editor).
    const typed = new TextEncoder().encode(sample.toString('utf8').replace(/\n1,0\.030988,/, '\n1,abc,'));
    const problems = (await analyze(typed, { target: 'label', predictions: ['p0', 'p1'] })).problems;
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.line, 1);
  });
});
