import * as vscode from 'vscode';
import { isSupportedFile, isTableFile } from '../readers/readDataFile';

/** A file Likelihood Lens can read, on a file system it can read from. */
export function isDataFile(uri: vscode.Uri | undefined): uri is vscode.Uri {
  return uri !== undefined && uri.scheme === 'file' && isSupportedFile(uri.fsPath);
}

/** The data file in the active editor tab, text or custom editor. */
export function activeDataFile(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : vscode.window.activeTextEditor?.document.uri;
  return isDataFile(uri) ? uri : undefined;
}

/** A CSV/TSV file: its problems can be shown in the editor. */
export function isTableDataFile(uri: vscode.Uri | undefined): uri is vscode.Uri {
  return isDataFile(uri) && isTableFile(uri.fsPath);
}
