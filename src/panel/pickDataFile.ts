import * as vscode from 'vscode';
import { isSupportedFile, SUPPORTED_EXTENSIONS } from '../readers/readDataFile';

/** The data file a command should act on: the one passed, the active one, or the user's pick. */
export async function resolveDataFile(
  arg: unknown,
  placeHolder = vscode.l10n.t('Pick a data file to open in the loss panel'),
): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && isSupportedFile(active.fsPath)) return active;
  const tabInput = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (tabInput instanceof vscode.TabInputCustom && isSupportedFile(tabInput.uri.fsPath)) return tabInput.uri;
  return pickWorkspaceFile(placeHolder);
}

/** A data file of the workspace the user picks, other than `exclude`; undefined if there is none or the user cancels. */
export async function pickWorkspaceFile(placeHolder: string, exclude?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const pattern = `**/*.{${SUPPORTED_EXTENSIONS.map((extension) => extension.slice(1)).join(',')}}`;
  const files = await vscode.workspace.findFiles(pattern, '**/node_modules/**', 500);
  if (files.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Likelihood Lens: no data files ({0}) in this workspace.', SUPPORTED_EXTENSIONS.join(', ')));
    return undefined;
  }
  const items = files
    .filter((uri) => uri.toString() !== exclude?.toString())
    .map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const picked = await vscode.window.showQuickPick(items, {
    placeHolder,
    matchOnDescription: true,
  });
  return picked?.uri;
}
