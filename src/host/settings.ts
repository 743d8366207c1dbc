import * as vscode from 'vscode';
import { settingsFrom, type Settings } from './settingValues';

export type { Settings } from './settingValues';

/** The extension's settings (likelihoodLens.*), read fresh each time they are needed. */
export function readSettings(): Settings {
  const config = vscode.workspace.getConfiguration('likelihoodLens');
  return settingsFrom((key) => config.get(key));
}
