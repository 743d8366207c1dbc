import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/fixtures';
import { runExtensionTestSuite } from './codeServer';

describe('extension tests inside a real VS Code extension host (code-server)', () => {
  it('the mocha suite in out/test/suite passes', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'likelihood-lens-ws-'));
    cpSync(join(REPO_ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
    try {
      const { exitCode, log } = await runExtensionTestSuite({
        extensionPath: REPO_ROOT,
        testsPath: join(REPO_ROOT, 'out', 'test', 'suite', 'index'),
        workspace,
      });
      const text = log.join('\n');
      console.log(text);
      assert.match(text, /\d+ passing/, 'mocha reported its results');
      assert.doesNotMatch(text, /\d+ failing/);
      assert.equal(exitCode, 0);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
