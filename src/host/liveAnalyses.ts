import * as vscode from 'vscode';
import { dirname, basename } from 'node:path';
import type { AnalysisWorker } from './analysisWorker';
import { LiveAnalysis } from './liveAnalysis';
import { readSettings } from './settings';
import { RERUN_SECTIONS } from './settingValues';

interface Entry {
  readonly live: LiveAnalysis;
  readonly watcher: vscode.FileSystemWatcher;
  refs: number;
}

/** A lease on a file's live analysis; dispose it when done. */
export interface LiveLease extends vscode.Disposable {
  readonly live: LiveAnalysis;
}

/**
 * One live analysis per data file, shared by everything that shows it (panels, the status bar,
 * the Problems view) and kept while anything holds a lease. Routes editor edits and changes on
 * disk to the right file.
 */
export class LiveAnalyses implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly worker: AnalysisWorker,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length > 0) this.entries.get(event.document.uri.toString())?.live.refresh(readSettings().debounceMs);
      }),
      // Closing the editor falls back to the file on disk, which may differ from the discarded buffer.
      vscode.workspace.onDidCloseTextDocument((document) => this.entries.get(document.uri.toString())?.live.refresh(0)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (RERUN_SECTIONS.some((section) => event.affectsConfiguration(section))) for (const entry of this.entries.values()) void entry.live.refresh(0);
      }),
    ];
  }

  acquire(uri: vscode.Uri): LiveLease {
    const key = uri.toString();
    let entry = this.entries.get(key);
    if (!entry) {
      const live = new LiveAnalysis(uri, this.worker, this.log);
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(uri.fsPath)), basename(uri.fsPath)));
      const fromDisk = () => {
        // While an editor holds the text, the buffer is the truth; on disk changes are its own saves.
        if (!vscode.workspace.textDocuments.some((doc) => doc.uri.toString() === key)) void live.refresh(readSettings().debounceMs);
      };
      watcher.onDidChange(fromDisk);
      watcher.onDidCreate(fromDisk);
      watcher.onDidDelete(() => live.markDeleted());
      entry = { live, watcher, refs: 0 };
      this.entries.set(key, entry);
      void live.refresh(0);
    }
    entry.refs++;
    const held = entry;
    let released = false;
    return {
      live: held.live,
      dispose: () => {
        if (released) return;
        released = true;
        if (--held.refs === 0) {
          this.entries.delete(key);
          held.watcher.dispose();
          held.live.dispose();
        }
      },
    };
  }

  /** The live analysis of a file, if something holds it. */
  peek(uri: vscode.Uri): LiveAnalysis | undefined {
    return this.entries.get(uri.toString())?.live;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    for (const entry of this.entries.values()) {
      entry.watcher.dispose();
      entry.live.dispose();
    }
    this.entries.clear();
  }
}
