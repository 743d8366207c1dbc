/**
 * The same integration suite in desktop VS Code, for machines that can download it:
 * `npm run test:electron` (on Linux under `xvfb-run -a`). Here tests run through code-server.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const extensionDevelopmentPath = resolve(__dirname, '..', '..', '..');
  const workspace = mkdtempSync(join(tmpdir(), 'likelihood-lens-ws-'));
  cpSync(join(extensionDevelopmentPath, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  await runTests({
    // The oldest VS Code the manifest supports, then the current one.
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath,
    extensionTestsPath: resolve(__dirname, '..', 'suite', 'index'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
