import * as vscode from 'vscode';
import type { LiveAnalyses, LiveLease } from '../host/liveAnalyses';
import type { LiveResult } from '../host/liveAnalysis';
import { readSettings } from '../host/settings';
import type { PartialResult } from '../analysis/results';
import { plainNumber } from '../engine/format';
import { convertNats, unitSymbol } from '../engine/units';
import { pythonSnippet } from '../analysis/report/snippets';
import { copiedMarkdown } from './copiedMarkdown';
import {
  parseWebviewMessage,
  PNG_DATA_URL_PREFIX,
  type Analysis,
  type AnalysisOptions,
  type CopyTarget,
  type HostMessage,
  type PanelState,
  type TokenRequest,
  type WebviewMessage,
} from '../protocol/webview';
import { describeError } from '../readers/errors';
import { Disposable } from '../host/disposable';
import type { PanelViews } from '../host/panelViews';
import { CancelledError } from '../host/analysisWorker';
import { PANEL_STYLES, reloadOnLoadFailure, webviewPage } from './webviewPage';
import { restorableFile } from './restorableFile';
import type { PageReloads } from './webviewLoad';

export { restorableFile };

export const LOSS_PANEL_VIEW_TYPE = 'likelihoodLens.lossPanel';

/** What a panel shows, for the command's result and for tests. */
export interface PanelSnapshot {
  readonly fileUri: string;
  readonly version: number;
  readonly analysis: Analysis | undefined;
  readonly error: string | undefined;
  /** Where the numbers came from: the editor's unsaved text or the file on disk. */
  readonly from: LiveResult['from'] | undefined;
  /** Whether the panel is on screen (a hidden webview renders nothing until shown). */
  readonly visible: boolean;
  /** What the webview reported it rendered last. */
  readonly rendered: { readonly version: number; readonly headline: number; readonly steps: number } | undefined;
}

export interface PanelServices {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  readonly analyses: LiveAnalyses;
  /** Each file's unit, reduction and sliders, kept across reloads and reopening. */
  readonly views?: PanelViews;
}

function panelTitle(file: vscode.Uri): string {
  return vscode.l10n.t('Loss: {0}', file.path.split('/').pop() ?? file.path);
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')] };
}

/**
 * Owns the loss panels, one per data file: opens and reveals them, brings them back after a
 * window reload (it registers the serializer), and reports their changes.
 */
export class LossPanelManager extends Disposable {
  private readonly panels = new Map<string, LossPanel>();
  private readonly changed = this._register(new vscode.EventEmitter<PanelSnapshot>());
  /** Fires whenever a panel's analysis or render changes, and when it closes. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly services: PanelServices) {
    super();
    this._register(
      vscode.window.registerWebviewPanelSerializer(LOSS_PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, rawState) => this.revive(panel, rawState),
      }),
    );
    this._register({ dispose: () => this.disposePanels() });
  }

  /** Shows the panel for `file`, reusing the open one, and resolves once it has a result. `preserveFocus`: leave the focus where it is. */
  async show(file: vscode.Uri, preserveFocus = false): Promise<PanelSnapshot> {
    const existing = this.panels.get(file.toString());
    if (existing) {
      existing.reveal(preserveFocus);
      return existing.snapshot();
    }
    const showOptions = { viewColumn: vscode.ViewColumn.Beside, preserveFocus };
    const panel = vscode.window.createWebviewPanel(LOSS_PANEL_VIEW_TYPE, panelTitle(file), showOptions, webviewOptions(this.services.extensionUri));
    const lossPanel = this.adopt(panel, file);
    await lossPanel.firstResult();
    return lossPanel.snapshot();
  }

  /** Whether a panel shows `file`, counting one VS Code restored after a reload but has not handed back yet. */
  isShown(file: vscode.Uri): boolean {
    if (this.panels.has(file.toString())) return true;
    const title = panelTitle(file);
    const isPanelTab = (tab: vscode.Tab) =>
      tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(LOSS_PANEL_VIEW_TYPE) && tab.label === title;
    return vscode.window.tabGroups.all.some((group) => group.tabs.some(isPanelTab));
  }

  snapshots(): PanelSnapshot[] {
    return [...this.panels.values()].map((panel) => panel.snapshot());
  }

  /**
   * Brings back a panel VS Code restored after a reload, from the state its webview saved. That
   * state comes from the webview, so the file it names is only read if it is a file of the
   * workspace; anything else closes the restored tab.
   */
  private revive(panel: vscode.WebviewPanel, rawState: unknown): void {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file').map((folder) => folder.uri.fsPath);
    const restored = restorableFile(rawState, folders);
    const file = restored ? vscode.Uri.file(restored.path) : undefined;
    if (!restored || !file || !vscode.workspace.getWorkspaceFolder(file) || this.panels.has(file.toString())) {
      panel.dispose();
      return;
    }
    const { state } = restored;
    panel.webview.options = webviewOptions(this.services.extensionUri);
    const lossPanel = this.adopt(panel, file);
    if (Object.keys(state.options).length > 0) void lossPanel.setOptions(state.options);
  }

  private adopt(panel: vscode.WebviewPanel, file: vscode.Uri): LossPanel {
    const key = file.toString();
    const lossPanel = new LossPanel(
      this.services,
      panel,
      file,
      (snapshot) => this.changed.fire(snapshot),
      () => {
        if (this.panels.get(key) === lossPanel) this.panels.delete(key);
      },
    );
    this.panels.set(key, lossPanel);
    return lossPanel;
  }

  private disposePanels(): void {
    for (const panel of [...this.panels.values()]) panel.close();
  }
}

/** One data file's loss panel: a view of the file's live analysis. */
class LossPanel extends Disposable {
  private rendered: PanelSnapshot['rendered'];
  private readonly lease: LiveLease;
  /** Kept from view-state events: a disposed panel cannot be asked. */
  private visible: boolean;
  /** The token request under way of each kind: a newer one (the pointer moved on, another row clicked) cancels it. */
  private readonly tokenRequests = new Map<TokenRequest, AbortController>();
  private readonly reloads: PageReloads;

  constructor(
    private readonly services: PanelServices,
    private readonly panel: vscode.WebviewPanel,
    private readonly file: vscode.Uri,
    private readonly onChange: (snapshot: PanelSnapshot) => void,
    private readonly onClosed: () => void,
  ) {
    super();
    this.visible = panel.visible;
    this.lease = this._register(services.analyses.acquire(file));
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'icon.png');
    const page = (): string => {
      const view = services.views?.get(file.toString());
      return this.html({ fileUri: file.toString(), options: this.lease.live.analysisOptions, ...(view ? { view } : {}) });
    };
    panel.webview.html = page();
    this.reloads = reloadOnLoadFailure(panel, page, services.log, (attempts) =>
      vscode.window.showWarningMessage(
        vscode.l10n.t(
          'Likelihood Lens: the loss panel of {0} could not load its script after {1} attempts; close it and open it again.',
          panelTitle(file),
          attempts,
        ),
      ),
    );
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.onDidChangeViewState(({ webviewPanel }) => (this.visible = webviewPanel.visible)));
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    this._register(this.lease.live.onDidUpdate((result) => this.show(result)));
    this._register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('likelihoodLens.logBase') && this.lease.live.latest) this.show(this.lease.live.latest);
      }),
    );
    this._register({ dispose: () => this.tokenRequests.forEach((controller) => controller.abort()) });
    this._register(
      this.lease.live.onDidProgress(({ fraction, partial }) => this.post({ type: 'progress', message: progressText(fraction, partial), fraction })),
    );
  }

  reveal(preserveFocus: boolean): void {
    if (!this.isDisposed) this.panel.reveal(undefined, preserveFocus);
  }

  setOptions(options: AnalysisOptions): Promise<unknown> {
    return this.lease.live.setOptions(options);
  }

  /** Closes the webview; its dispose event disposes this. */
  close(): void {
    if (!this.isDisposed) this.panel.dispose();
  }

  snapshot(): PanelSnapshot {
    const latest = this.lease.live.latest;
    return {
      fileUri: this.file.toString(),
      version: latest?.version ?? 0,
      analysis: this.isDisposed ? undefined : latest?.analysis,
      error: latest?.error,
      from: latest?.from,
      visible: !this.isDisposed && this.visible,
      rendered: this.rendered,
    };
  }

  override dispose(): void {
    if (this.isDisposed) return;
    // The lease goes with super.dispose(): take what the last snapshot needs first.
    const last = this.snapshot();
    super.dispose();
    this.onClosed();
    this.onChange({ ...last, analysis: undefined, visible: false });
  }

  firstResult(): Promise<void> {
    if (this.lease.live.latest) return Promise.resolve();
    return new Promise((resolve) => {
      const once = this._register(
        this.lease.live.onDidUpdate(() => {
          once.dispose();
          resolve();
        }),
      );
    });
  }

  private show(result: LiveResult): void {
    const options = this.lease.live.analysisOptions;
    if (result.analysis)
      this.post({ type: 'analysis', version: result.version, fileUri: this.file.toString(), analysis: result.analysis, options, unit: readSettings().unit });
    else this.post({ type: 'error', message: result.error ?? vscode.l10n.t('no result'), options });
    this.onChange(this.snapshot());
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
      case 'loadFailed':
        this.reloads.failed();
        return;
      case 'ready': {
        const latest = this.lease.live.latest;
        if (latest) this.show(latest);
        return;
      }
      case 'setOptions':
        await this.lease.live.setOptions(message.options);
        return;
      case 'revealRow':
        return this.revealLine(message.line);
      case 'copy':
        return this.copy(message.what, message.stepId);
      case 'savePlot':
        return this.savePlot(message.name, message.pngDataUrl);
      case 'rendered':
        this.rendered = { version: message.version, headline: message.headline, steps: message.steps };
        this.onChange(this.snapshot());
        return;
      case 'view':
        await this.services.views?.set(this.file.toString(), message.view);
        return;
      case 'showSequence':
        return this.tokenRequest('sequence', message.sequence);
      case 'tokenAlternatives':
        return this.tokenRequest('alternatives', message.sequence, message.position);
    }
  }

  /**
   * Reads one sequence's tokens, or the model's top tokens at one position, from the file and
   * posts them with the version of the analysis they were asked from (the webview drops a reply
   * to an analysis it no longer shows). A failure goes to the log and beside the token view.
   */
  private async tokenRequest(request: TokenRequest, sequence: number, position?: number): Promise<void> {
    const latest = this.lease.live.latest;
    if (latest?.analysis?.task !== 'lm') return;
    const { version } = latest;
    this.tokenRequests.get(request)?.abort();
    const controller = new AbortController();
    this.tokenRequests.set(request, controller);
    try {
      const outcome = await this.lease.live.request(request, sequence, position, controller.signal);
      if (outcome.error !== undefined) throw new Error(outcome.error);
      if (request === 'sequence' && outcome.tokenView) this.post({ type: 'sequence', version, tokenView: outcome.tokenView });
      else if (request === 'alternatives' && outcome.alternatives) this.post({ type: 'alternatives', version, alternatives: outcome.alternatives });
      else throw new Error(`${latest.analysis.file.name}: ${vscode.l10n.t('no result')}`);
    } catch (error) {
      if (error instanceof CancelledError) return;
      const text = describeError(error);
      this.services.log.error(`Loss panel: ${text}`);
      this.post({ type: 'error', message: text, request });
    } finally {
      if (this.tokenRequests.get(request) === controller) this.tokenRequests.delete(request);
    }
  }

  private async copy(what: CopyTarget, stepId: string | undefined): Promise<void> {
    const analysis = this.lease.live.latest?.analysis;
    if (!analysis) return;
    let text: string | undefined;
    if (what === 'python') text = pythonSnippet(analysis);
    else if (what === 'markdown') text = copiedMarkdown(analysis);
    else text = analysis.derivations.flatMap((derivation) => derivation.steps).find((step) => step.id === stepId)?.latex;
    if (text === undefined) return;
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Likelihood Lens: copied to the clipboard'), 3000);
  }

  /** Asks where to save a plot's PNG; the only file this extension ever writes, and only where the user says. */
  private async savePlot(name: string, pngDataUrl: string): Promise<void> {
    const folder = vscode.Uri.joinPath(this.file, '..');
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(folder, `${name}.png`),
      filters: { [vscode.l10n.t('PNG image')]: ['png'] },
    });
    if (!target || target.toString() === this.file.toString()) return;
    // The protocol let through only a bounded data: URL whose bytes start with PNG's signature.
    await vscode.workspace.fs.writeFile(target, Buffer.from(pngDataUrl.slice(PNG_DATA_URL_PREFIX.length), 'base64'));
  }

  /** Opens the data file beside the panel and selects the row's line. */
  private async revealLine(line: number): Promise<void> {
    const document = await vscode.workspace.openTextDocument(this.file);
    const target = Math.min(line - 1, document.lineCount - 1);
    const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
    const range = document.lineAt(target).range;
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private post(message: HostMessage): void {
    if (!this.isDisposed) void this.panel.webview.postMessage(message);
  }

  private html(state: PanelState): string {
    return webviewPage(this.panel.webview, this.services.extensionUri, {
      title: vscode.l10n.t('Likelihood Lens'),
      loading: vscode.l10n.t('Reading the file\u2026'),
      script: 'webview.js',
      styles: PANEL_STYLES,
      state,
    });
  }
}

/** "Reading the file… 40%", with the cross-entropy of the rows read so far once there is one. */
function progressText(fraction: number, partial: PartialResult | undefined): string {
  const percent = Math.round(100 * fraction);
  if (!partial || partial.rows === 0) return vscode.l10n.t('Reading the file\u2026 {0}%', percent);
  const { unit } = readSettings();
  return vscode.l10n.t(
    'Reading the file\u2026 {0}% \u00b7 cross-entropy so far {1} {2} over {3} rows',
    percent,
    plainNumber(convertNats(partial.crossEntropy, unit), 6),
    unitSymbol(unit),
    partial.rows.toLocaleString('en-US'),
  );
}
