import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AnalysisWorker, CancelledError } from '../host/analysisWorker';
import { parseWebviewMessage, type Analysis, type AnalysisOptions, type HostMessage, type PanelState, type WebviewMessage } from '../protocol';
import { describeError } from '../readers/errors';
import { makeNonce, renderWebviewHtml } from './webviewHtml';

export const LOSS_PANEL_VIEW_TYPE = 'likelihoodLens.lossPanel';

/** What a panel shows, for the command's result and for tests. */
export interface PanelSnapshot {
  readonly fileUri: string;
  readonly version: number;
  readonly analysis: Analysis | undefined;
  readonly error: string | undefined;
  /** What the webview reported it rendered last. */
  readonly rendered: { readonly version: number; readonly crossEntropy: number; readonly steps: number } | undefined;
}

export interface PanelServices {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
}

/** One loss panel per data file: it owns its webview, its worker and its latest analysis. */
export class LossPanel {
  private static readonly open = new Map<string, LossPanel>();

  private version = 0;
  private analysis: Analysis | undefined;
  private error: string | undefined;
  private rendered: PanelSnapshot['rendered'];
  private running: AbortController | undefined;
  private readonly worker: AnalysisWorker;
  private readonly disposables: vscode.Disposable[] = [];

  /** Shows the panel for `file`, reusing the open one, and resolves once its analysis is in. */
  static async show(services: PanelServices, file: vscode.Uri, options: AnalysisOptions = {}): Promise<PanelSnapshot> {
    const existing = LossPanel.open.get(file.toString());
    if (existing) {
      existing.panel.reveal();
      return existing.snapshot();
    }
    const panel = vscode.window.createWebviewPanel(LOSS_PANEL_VIEW_TYPE, LossPanel.title(file), vscode.ViewColumn.Beside, LossPanel.webviewOptions(services.extensionUri));
    const lossPanel = new LossPanel(services, panel, file, options);
    await lossPanel.refresh();
    return lossPanel.snapshot();
  }

  /** Brings back a panel VS Code restored after a reload, from the state its webview saved. */
  static revive(services: PanelServices, panel: vscode.WebviewPanel, state: PanelState): void {
    panel.webview.options = LossPanel.webviewOptions(services.extensionUri);
    const lossPanel = new LossPanel(services, panel, vscode.Uri.parse(state.fileUri), state.options);
    void lossPanel.refresh();
  }

  static snapshots(): PanelSnapshot[] {
    return [...LossPanel.open.values()].map((panel) => panel.snapshot());
  }

  static disposeAll(): void {
    for (const panel of [...LossPanel.open.values()]) panel.panel.dispose();
  }

  private static title(file: vscode.Uri): string {
    return `Loss: ${file.path.split('/').pop() ?? file.path}`;
  }

  private static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
    };
  }

  private constructor(
    private readonly services: PanelServices,
    private readonly panel: vscode.WebviewPanel,
    private readonly file: vscode.Uri,
    private options: AnalysisOptions,
  ) {
    LossPanel.open.set(file.toString(), this);
    this.worker = new AnalysisWorker(join(services.extensionUri.fsPath, 'dist', 'worker.js'));
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html({ fileUri: file.toString(), options });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
    );
  }

  snapshot(): PanelSnapshot {
    return { fileUri: this.file.toString(), version: this.version, analysis: this.analysis, error: this.error, rendered: this.rendered };
  }

  /** Runs a fresh analysis; a newer call supersedes (and cancels) an older one. */
  async refresh(): Promise<void> {
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    const version = ++this.version;
    this.post({ type: 'progress', message: 'Reading the file\u2026' });
    try {
      const analysis = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `Likelihood Lens: ${LossPanel.title(this.file)}` },
        () => this.worker.run({ kind: 'path', path: this.file.fsPath }, this.options, undefined, controller.signal),
      );
      if (version !== this.version) return;
      this.analysis = analysis;
      this.error = undefined;
      this.post({ type: 'analysis', version, fileUri: this.file.toString(), analysis, options: this.options });
    } catch (error) {
      if (error instanceof CancelledError || version !== this.version) return;
      this.analysis = undefined;
      this.error = describeError(error);
      this.services.log.error(this.error);
      this.post({ type: 'error', message: this.error });
      void vscode.window.showErrorMessage(this.error);
    } finally {
      if (this.running === controller) this.running = undefined;
    }
  }

  private receive(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.services.log.warn(`Ignored a malformed message from the loss panel: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    this.handle(message).catch((error: unknown) => this.services.log.error(`Loss panel: ${describeError(error)}`));
  }

  private async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        if (this.analysis) this.post({ type: 'analysis', version: this.version, fileUri: this.file.toString(), analysis: this.analysis, options: this.options });
        else if (this.error) this.post({ type: 'error', message: this.error });
        return;
      case 'setOptions':
        this.options = message.options;
        return this.refresh();
      case 'revealRow': {
        const editor = await vscode.window.showTextDocument(this.file, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
        const line = Math.min(message.line - 1, editor.document.lineCount - 1);
        const range = editor.document.lineAt(line).range;
        editor.selection = new vscode.Selection(range.start, range.end);
        editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        return;
      }
      case 'rendered':
        this.rendered = { version: message.version, crossEntropy: message.crossEntropy, steps: message.steps };
        return;
    }
  }

  private post(message: HostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private html(state: PanelState): string {
    const webview = this.panel.webview;
    const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.services.extensionUri, 'dist', ...path)).toString();
    return renderWebviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce((size) => randomBytes(size)),
      scriptUri: asset('webview.js'),
      katexCssUri: asset('katex', 'katex.min.css'),
      uplotCssUri: asset('uPlot.min.css'),
      panelCssUri: asset('panel.css'),
      initialState: state,
    });
  }

  private dispose(): void {
    this.running?.abort();
    this.worker.dispose();
    if (LossPanel.open.get(this.file.toString()) === this) LossPanel.open.delete(this.file.toString());
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
