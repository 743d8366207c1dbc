import * as vscode from 'vscode';
import { activeDataFile, isDataFile } from './dataFiles';
import { readSettings } from './settings';

const tabFile = (tab: vscode.Tab): vscode.Uri | undefined =>
  tab.input instanceof vscode.TabInputText || tab.input instanceof vscode.TabInputCustom ? tab.input.uri : undefined;

/**
 * With likelihoodLens.autoOpen on, opens a data file's loss panel when the file is opened in an
 * editor: once per file per session, so closing the panel is respected.
 */
export class AutoOpen implements vscode.Disposable {
  private readonly done = new Set<string>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly open: (file: vscode.Uri) => Promise<unknown>,
    /** Whether a panel already shows the file (one restored after a reload counts). */
    private readonly shown: (file: vscode.Uri) => boolean,
  ) {
    this.subscription = vscode.window.tabGroups.onDidChangeTabs((event) => {
      for (const tab of event.opened) this.consider(tabFile(tab));
    });
    // Opening a data file is what activates the extension, before anything listened for it.
    this.consider(activeDataFile());
  }

  private consider(file: vscode.Uri | undefined): void {
    if (!isDataFile(file) || !readSettings().autoOpen || this.done.has(file.toString())) return;
    this.done.add(file.toString());
    if (!this.shown(file)) void this.open(file);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
