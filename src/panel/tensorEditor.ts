import * as vscode from 'vscode';
import { basename, dirname } from 'node:path';
import { reloadOnLoadFailure, webviewPage } from './webviewPage';
import { parseTensorViewMessage, type TensorViewHostMessage } from '../protocol/webview';
import { CancelledError, type AnalysisWorker } from '../host/analysisWorker';
import { readSettings } from '../host/settings';
import { RERUN_SECTIONS, runSettings } from '../host/settingValues';

export const TENSOR_VIEW_TYPE = 'likelihoodLens.tensorView';

/**
 * A read-only view of .npy/.npz/.safetensors/.pt files: every tensor's name, dtype, shape,
 * statistics and first values, kept up to date as the file changes on disk.
 */
export class TensorEditorProvider implements vscode.CustomReadonlyEditorProvider {
  private readonly shown = new Map<string, string>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly worker: AnalysisWorker,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** What each open view shows (each tensor's name, dtype and shape, or the error), for tests. */
  views(): Record<string, string> {
    return Object.fromEntries(this.shown);
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => this.shown.delete(uri.toString()) };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const { uri } = document;
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')] };
    const page = () =>
      webviewPage(webview, this.extensionUri, {
        title: basename(uri.fsPath),
        loading: vscode.l10n.t('Reading the file\u2026'),
        script: 'tensorView.js',
        styles: [['panel.css']],
      });
    webview.html = page();
    const reloads = reloadOnLoadFailure(panel, page, this.log, (attempts: number) =>
      vscode.window.showWarningMessage(
        vscode.l10n.t(
          'Likelihood Lens: the tensor view of {0} could not load its script after {1} attempts; close it and open it again.',
          basename(uri.fsPath),
          attempts,
        ),
      ),
    );
    let latest: TensorViewHostMessage | undefined;
    let running: AbortController | undefined;
    const post = (message: TensorViewHostMessage) => {
      latest = message;
      this.shown.set(
        uri.toString(),
        message.type === 'tensors' ? message.summary.tensors.map((t) => `${t.name} ${t.dtype}[${t.shape.join(', ')}]`).join('; ') : message.message,
      );
      void webview.postMessage(message);
    };
    const refresh = async () => {
      running?.abort();
      const controller = new AbortController();
      running = controller;
      try {
        const outcome = await this.worker.run(
          { action: 'inspect', source: { kind: 'path', path: uri.fsPath }, ...runSettings(readSettings(), {}) },
          controller.signal,
        );
        if (outcome.summary) post({ type: 'tensors', summary: outcome.summary, analysable: outcome.analysable === true });
        else post({ type: 'error', message: outcome.error ?? vscode.l10n.t('unreadable') });
      } catch (error) {
        if (!(error instanceof CancelledError)) post({ type: 'error', message: (error as Error).message });
      }
    };
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(uri.fsPath)), basename(uri.fsPath)));
    const subscriptions = [
      watcher,
      watcher.onDidChange(() => void refresh()),
      watcher.onDidCreate(() => void refresh()),
      vscode.workspace.onDidChangeConfiguration((event) => RERUN_SECTIONS.some((section) => event.affectsConfiguration(section)) && void refresh()),
      watcher.onDidDelete(() => post({ type: 'error', message: vscode.l10n.t('{0}: the file was deleted', basename(uri.fsPath)) })),
      webview.onDidReceiveMessage(async (raw: unknown) => {
        const message = parseTensorViewMessage(raw);
        if (!message) return this.log.warn(`Ignored a malformed message from the tensor view: ${JSON.stringify(raw)?.slice(0, 200)}`);
        if (message.type === 'loadFailed') reloads.failed();
        else if (message.type === 'ready' && latest) void webview.postMessage(latest);
        else if (message.type === 'openLossPanel') await vscode.commands.executeCommand('likelihoodLens.openLossPanel', uri);
        else if (message.type === 'reopenWithDefault') await vscode.commands.executeCommand('vscode.openWith', uri, 'default');
      }),
    ];
    panel.onDidDispose(() => {
      running?.abort();
      for (const subscription of subscriptions) subscription.dispose();
      this.shown.delete(uri.toString());
    });
    await refresh();
  }
}
