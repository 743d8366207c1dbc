/** What the extension-host tests share: the extension's API, waiting on it, and settings. */
import * as vscode from 'vscode';
import type { LikelihoodLensApi } from '../../src/extension';

export const workspaceFile = (name: string) => vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, name);

export async function api(): Promise<LikelihoodLensApi> {
  return vscode.extensions.getExtension<LikelihoodLensApi>('likelihood-lens.likelihood-lens')!.activate();
}

export async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Waits for a webview to report its render. A headless page sometimes leaves a new webview
 * waiting to be laid out: after 15 s `reveal` shows the panel again (as running its command
 * again does), and the wait goes on.
 */
export async function untilRendered<T>(what: string, probe: () => T | undefined | false, reveal: () => Thenable<unknown>): Promise<T> {
  return until(what, probe, 15_000).catch(async () => {
    await reveal();
    return until(`${what} after a reveal`, probe, 35_000);
  });
}

export const panelFor = (lens: LikelihoodLensApi, uri: vscode.Uri) => lens.panels().find((p) => p.fileUri === uri.toString());

/** Sets likelihoodLens.<key> in the user settings; undefined removes it. */
export function setSetting(key: string, value: unknown): Thenable<void> {
  return vscode.workspace.getConfiguration('likelihoodLens').update(key, value, vscode.ConfigurationTarget.Global);
}
