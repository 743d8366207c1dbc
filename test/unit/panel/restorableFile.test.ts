import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { restorableFile } from '../../../src/panel/restorableFile';

describe('the file a restored loss panel may read', () => {
  const root = mkdtempSync(join(tmpdir(), 'restore-'));
  const workspace = join(root, 'workspace');
  const folders = [workspace];
  after(() => rmSync(root, { recursive: true, force: true }));
  const state = (fileUri: unknown, extra: Record<string, unknown> = {}) => ({ fileUri, options: {}, ...extra });

  it('a file of the workspace, with the options it was saved with', () => {
    const file = join(workspace, 'data', 'basic.csv');
    const restored = restorableFile(state(pathToFileURL(file).href, { options: { kind: 'logits' } }), folders);
    assert.equal(restored?.path, file);
    assert.deepEqual(restored?.state.options, { kind: 'logits' });
  });

  it('refuses a file outside the workspace, also through .. and a sibling folder with the same prefix', () => {
    for (const file of [join(root, 'secret.csv'), join(workspace, '..', 'secret.csv'), `${workspace}-other/basic.csv`, workspace, '/etc/passwd'])
      assert.equal(restorableFile(state(pathToFileURL(file).href), folders), undefined, file);
    assert.equal(restorableFile(state(`${pathToFileURL(workspace).href}/%2e%2e/secret.csv`), folders), undefined, 'encoded ..');
    assert.equal(restorableFile(state(pathToFileURL(join(workspace, 'basic.csv')).href), []), undefined, 'no workspace folder');
  });

  it('refuses a scheme other than file, and a file URI with a host', () => {
    const path = pathToFileURL(join(workspace, 'basic.csv')).pathname;
    for (const uri of [
      `untitled:${path}`,
      `vscode-remote://ssh-remote+box${path}`,
      `https://example.com${path}`,
      `file://attacker${path}`,
      `command:workbench.action.terminal.new`,
    ])
      assert.equal(restorableFile(state(uri), folders), undefined, uri);
  });

  it('refuses malformed state', () => {
    for (const raw of [
      undefined,
      null,
      42,
      'file:///workspace/basic.csv',
      [],
      {},
      { fileUri: 7 },
      { fileUri: '' },
      { fileUri: 'not a uri' },
      { fileUri: 'x'.repeat(20000) },
    ])
      assert.equal(restorableFile(raw, folders), undefined, JSON.stringify(raw)?.slice(0, 40));
  });
});
