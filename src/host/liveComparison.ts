import * as vscode from 'vscode';
import { basename, dirname } from 'node:path';
import type { AnalysisSource } from '../analysis/sources/analyzeSource';
import type { ComparisonDetail } from '../analysis/results';
import { describeError } from '../readers/errors';
import { isTableFile } from '../readers/readDataFile';
import { type AnalysisWorker, CancelledError } from './analysisWorker';
import { comparisonNames } from './comparisonFiles';
import { readSettings } from './settings';
import { RERUN_SECTIONS, runSettings } from './settingValues';

/** The latest comparison of two files, or the one-line reason there is none. */
export interface ComparisonResult {
  /** Increases with every run; older results never replace newer ones. */
  readonly version: number;
  readonly detail?: ComparisonDetail;
  readonly error?: string;
}

/**
 * Keeps the comparison of file A with file B up to date, as a live analysis keeps one file's: from
 * an editor's unsaved text while a table is open (debounced), from disk otherwise, run again when
 * either changes. A newer run cancels an older one; results of superseded runs are dropped.
 */
export class LiveComparison implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ComparisonResult>();
  readonly onDidUpdate = this.emitter.event;
  private readonly progressEmitter = new vscode.EventEmitter<number>();
  readonly onDidProgress = this.progressEmitter.event;
  latest: ComparisonResult | undefined;
  private version = 0;
  private running: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  readonly names: { readonly a: string; readonly b: string };

  constructor(
    readonly fileA: vscode.Uri,
    readonly fileB: vscode.Uri,
    private readonly worker: AnalysisWorker,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.names = comparisonNames(fileA.fsPath, fileB.fsPath, (path) => vscode.workspace.asRelativePath(path, false));
    const isCompared = (uri: vscode.Uri) => uri.toString() === fileA.toString() || uri.toString() === fileB.toString();
    const isOpen = (uri: vscode.Uri) => vscode.workspace.textDocuments.some((doc) => doc.uri.toString() === uri.toString());
    for (const file of [fileA, fileB]) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(file.fsPath)), basename(file.fsPath)));
      // While an editor holds the text, the buffer is the truth; changes on disk are its own saves.
      const fromDisk = () => (isOpen(file) ? undefined : this.refresh(readSettings().debounceMs));
      this.subscriptions.push(
        watcher,
        watcher.onDidChange(fromDisk),
        watcher.onDidCreate(fromDisk),
        watcher.onDidDelete(() => this.refresh(0)),
      );
    }
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length > 0 && isCompared(event.document.uri)) void this.refresh(readSettings().debounceMs);
      }),
      // Closing the editor falls back to the file on disk, which may differ from the discarded buffer.
      vscode.workspace.onDidCloseTextDocument((document) => (isCompared(document.uri) ? this.refresh(0) : undefined)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (RERUN_SECTIONS.some((section) => event.affectsConfiguration(section))) void this.refresh(0);
      }),
    );
    void this.refresh(0);
  }

  /** Schedules a run after `delayMs`. */
  refresh(delayMs = 0): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), delayMs);
  }

  /** Resolves once there is a result (the first, or the latest). */
  firstResult(): Promise<ComparisonResult> {
    if (this.latest) return Promise.resolve(this.latest);
    return new Promise((resolve) => {
      const once = this.onDidUpdate((result) => {
        once.dispose();
        resolve(result);
      });
    });
  }

  private source(file: vscode.Uri): AnalysisSource {
    // Only text tables are read from the editor; a binary file opened as text is read from disk.
    const document = isTableFile(file.fsPath) ? vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === file.toString()) : undefined;
    return document ? { kind: 'bytes', name: basename(file.fsPath), bytes: new TextEncoder().encode(document.getText()) } : { kind: 'path', path: file.fsPath };
  }

  private async run(): Promise<void> {
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    const version = ++this.version;
    try {
      const outcome = await this.worker.run(
        {
          action: 'compare',
          source: this.source(this.fileA),
          compareWith: this.source(this.fileB),
          names: this.names,
          ...runSettings(readSettings(), {}),
        },
        controller.signal,
        (fraction) => this.progressEmitter.fire(fraction),
      );
      if (version !== this.version) return;
      this.publish(outcome.comparison ? { version, detail: outcome.comparison } : { version, error: outcome.error ?? vscode.l10n.t('no result') });
    } catch (error) {
      if (error instanceof CancelledError || version !== this.version) return;
      this.log.error(`${this.names.a} / ${this.names.b}: ${describeError(error)}`);
      this.publish({ version, error: describeError(error) });
    } finally {
      if (this.running === controller) this.running = undefined;
    }
  }

  private publish(result: ComparisonResult): void {
    this.latest = result;
    if (result.error) this.log.warn(result.error);
    this.emitter.fire(result);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.running?.abort();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.emitter.dispose();
    this.progressEmitter.dispose();
  }
}
