import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { AnalysisSource } from '../analysis/sources/analyzeSource';
import type { PartialResult, AnalysisOptions } from '../analysis/results';
import type { AnalysisOutcome } from '../protocol/worker';
import { describeError } from '../readers/errors';
import { isTableFile } from '../readers/readDataFile';
import { type AnalysisWorker, CancelledError } from './analysisWorker';
import { readSettings } from './settings';
import { runSettings } from './settingValues';

/** How far a run has got: the share of the file read, for progress bars. */
export interface LiveProgress {
  readonly version: number;
  readonly fraction: number;
  readonly partial?: PartialResult;
}

/** The latest analysis of a file, from the editor's unsaved text or from disk. */
export interface LiveResult extends AnalysisOutcome {
  /** Increases with every run; older results never replace newer ones. */
  readonly version: number;
  readonly from: 'editor' | 'disk';
}

/** A run still going after this long gets a cancellable progress notification. */
const NOTIFY_AFTER_MS = 700;

/**
 * Keeps one file's analysis up to date: from the unsaved buffer while it is open in an editor
 * (debounced), from disk otherwise. A newer run cancels an older one; results of superseded
 * runs are dropped.
 */
export class LiveAnalysis implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<LiveResult>();
  readonly onDidUpdate = this.emitter.event;
  private readonly progressEmitter = new vscode.EventEmitter<LiveProgress>();
  readonly onDidProgress = this.progressEmitter.event;
  latest: LiveResult | undefined;
  private version = 0;
  private running: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private waiters: ((result: LiveResult | undefined) => void)[] = [];
  private readonly name: string;

  constructor(
    readonly uri: vscode.Uri,
    private readonly worker: AnalysisWorker,
    private readonly log: vscode.LogOutputChannel,
    private options: AnalysisOptions = {},
  ) {
    this.name = basename(uri.fsPath);
  }

  get analysisOptions(): AnalysisOptions {
    return this.options;
  }

  setOptions(options: AnalysisOptions): Promise<LiveResult | undefined> {
    this.options = options;
    return this.refresh(0);
  }

  /** Schedules a run after `delayMs`; resolves with its result, or undefined if a newer run superseded it. */
  refresh(delayMs = 0): Promise<LiveResult | undefined> {
    clearTimeout(this.timer);
    const result = new Promise<LiveResult | undefined>((resolve) => this.waiters.push(resolve));
    this.timer = setTimeout(() => void this.run(), delayMs);
    return result;
  }

  /**
   * A language model's token view of one sequence ('sequence') or the model's top tokens at one
   * position ('alternatives'), read from the file on disk on the shared worker with the options
   * of the analysis shown.
   */
  request(action: 'sequence' | 'alternatives', sequence: number, position?: number, signal?: AbortSignal): Promise<AnalysisOutcome> {
    const source: AnalysisSource = { kind: 'path', path: this.uri.fsPath };
    return this.worker.run({ action, source, ...runSettings(readSettings(), this.options), sequence, ...(position !== undefined ? { position } : {}) }, signal);
  }

  /** Reports that the file is gone, without running anything. */
  markDeleted(): void {
    this.running?.abort();
    this.publish({ version: ++this.version, from: 'disk', error: vscode.l10n.t('{0}: the file was deleted', this.name), problems: [] });
  }

  private async run(): Promise<void> {
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    const version = ++this.version;
    const waiters = this.waiters.splice(0);
    // Only text tables are read from the editor; a binary file opened as text is read from disk.
    const document = isTableFile(this.uri.fsPath) ? vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === this.uri.toString()) : undefined;
    const source: AnalysisSource = document
      ? { kind: 'bytes', name: this.name, bytes: new TextEncoder().encode(document.getText()) }
      : { kind: 'path', path: this.uri.fsPath };
    let reported = 0;
    let onNotification: ((fraction: number) => void) | undefined;
    const onProgress = (fraction: number, partial?: PartialResult) => {
      this.progressEmitter.fire({ version, fraction, ...(partial ? { partial } : {}) });
      onNotification?.(fraction - reported);
      reported = fraction;
    };
    const work = this.worker.run({ source, ...runSettings(readSettings(), this.options), wantProblems: document !== undefined }, controller.signal, onProgress);
    const notify = setTimeout(() => this.showProgress(work, controller, (report) => (onNotification = report)), NOTIFY_AFTER_MS);
    let result: LiveResult | undefined;
    try {
      const outcome = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Likelihood Lens: {0}', this.name) },
        () => work,
      );
      if (version === this.version) result = this.publish({ ...outcome, version, from: document ? 'editor' : 'disk' });
    } catch (error) {
      if (!(error instanceof CancelledError)) {
        this.log.error(`${this.name}: ${describeError(error)}`);
        if (version === this.version) result = this.publish({ version, from: document ? 'editor' : 'disk', error: describeError(error), problems: [] });
      }
    } finally {
      clearTimeout(notify);
      if (this.running === controller) this.running = undefined;
      for (const resolve of waiters) resolve(result);
    }
  }

  /** A cancellable notification with a percentage, for runs that take a while. */
  private showProgress(work: Promise<unknown>, controller: AbortController, listen: (report: (increment: number) => void) => void): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Likelihood Lens: analysing {0}', this.name), cancellable: true },
      (progress, token) => {
        listen((increment) => progress.report({ increment: 100 * increment }));
        token.onCancellationRequested(() => controller.abort());
        return work.catch(() => undefined);
      },
    );
  }

  private publish(result: LiveResult): LiveResult {
    this.latest = result;
    if (result.error) this.log.warn(result.error);
    this.emitter.fire(result);
    return result;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.running?.abort();
    this.emitter.dispose();
    this.progressEmitter.dispose();
    for (const resolve of this.waiters.splice(0)) resolve(undefined);
  }
}
