import * as vscode from 'vscode';

/** The extension's settings (likelihoodLens.*), read fresh each time they are needed. */
export interface Settings {
  readonly maxFileBytes: number;
  readonly debounceMs: number;
  readonly statusBar: boolean;
  readonly diagnostics: boolean;
}

export function readSettings(): Settings {
  const config = vscode.workspace.getConfiguration('likelihoodLens');
  return {
    maxFileBytes: Math.max(1, config.get<number>('maxFileSizeMB', 2048)) * 2 ** 20,
    debounceMs: Math.max(0, config.get<number>('liveUpdateDelayMs', 300)),
    statusBar: config.get<boolean>('statusBar.enabled', true),
    diagnostics: config.get<boolean>('diagnostics.enabled', true),
  };
}
