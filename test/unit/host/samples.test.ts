import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { copySamples, SAMPLES_FOLDER } from '../../../src/host/samples';
import { REPO_ROOT } from '../../helpers/fixtures';

const samples = join(REPO_ROOT, 'media', 'samples');
const home = mkdtempSync(join(tmpdir(), 'likelihood-lens-samples-'));
after(() => rmSync(home, { recursive: true, force: true }));

describe('the sample the walkthrough opens', () => {
  it("is a copy of every bundled sample in the user's folder, never the extension's own file", async () => {
    const target = join(home, 'workspace', SAMPLES_FOLDER);
    const opened = await copySamples(samples, target);
    assert.equal(opened, join(target, 'classifier.csv'));
    assert.deepEqual(readdirSync(target).sort(), readdirSync(samples).sort());
    for (const name of readdirSync(samples)) assert.deepEqual(readFileSync(join(target, name)), readFileSync(join(samples, name)), name);
  });

  it('leaves a copy the user edited as it is when opened again', async () => {
    const target = join(home, 'again');
    const opened = await copySamples(samples, target);
    writeFileSync(opened, 'label,p0,p1\n0,0.9,0.1\n');
    assert.equal(await copySamples(samples, target), opened);
    assert.equal(readFileSync(opened, 'utf8'), 'label,p0,p1\n0,0.9,0.1\n');
    assert.deepEqual(readFileSync(join(target, 'labels.npy')), readFileSync(join(samples, 'labels.npy')));
  });
});
