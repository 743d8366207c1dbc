import * as vscode from 'vscode';
import type { PageReloads } from './webviewLoad';
import type { AnalysisWorker } from '../host/analysisWorker';
import { lineOfDataRow } from '../host/comparisonFiles';
import { Disposable } from '../host/disposable';
import { LiveComparison, type ComparisonResult } from '../host/liveComparison';
import { describeError } from '../readers/errors';
import { isTableFile } from '../readers/readDataFile';
import {
  parseComparisonPanelState,
  parseComparisonViewMessage,
  type Comparison,
  type ComparisonHostMessage,
  type ComparisonPanelState,
  type ComparisonViewMessage,
} from '../protocol/webview';
import { restorableFile } from './restorableFile';
import { PANEL_STYLES, reloadOnLoadFailure, webviewPage } from './webviewPage';

export const COMPARE_PANEL_VIEW_TYPE = 'likelihoodLens.comparePanel';

/** What a comparison panel shows, for the command's result and for tests. */
export interface ComparisonSnapshot {
  readonly fileUriA: string;
  readonly fileUriB: string;
  readonly version: number;
  readonly comparison: Comparison | undefined;
  /** The derivation's identity checks: whether each holds. */
  readonly checks: readonly { readonly label: string; readonly holds: boolean }[];
  readonly error: string | undefined;
  readonly visible: boolean;
  /** What the webview reported it rendered last. */
  readonly rendered: { readonly version: number; readonly difference: number; readonly steps: number } | undefined;
}

export interface ComparePanelServices {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  readonly worker: AnalysisWorker;
}

const fileName = (file: vscode.Uri) => file.path.split('/').pop() ?? file.path;
const pairKey = (a: vscode.Uri, b: vscode.Uri) => `${a.toString()}\n${b.toString()}`;

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')] };
}

/** The comparison panels, one per ordered pair of files: opens and reveals them and reports their changes. */
export class ComparePanelManager extends Disposable {
  private readonly panels = new Map<string, ComparePanel>();
  private readonly changed = this._register(new vscode.EventEmitter<ComparisonSnapshot>());
  /** Fires whenever a panel's comparison or render changes, and when it closes. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly services: ComparePanelServices) {
    super();
    this._register(
      vscode.window.registerWebviewPanelSerializer(COMPARE_PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, rawState) => this.revive(panel, rawState),
      }),
    );
    this._register({ dispose: () => [...this.panels.values()].forEach((panel) => panel.close()) });
  }

  /** Shows the comparison of `a` with `b`, reusing the open one, and resolves once it has a result. */
  async show(a: vscode.Uri, b: vscode.Uri): Promise<ComparisonSnapshot> {
    const key = pairKey(a, b);
    const existing = this.panels.get(key);
    if (existing) {
      existing.reveal();
      return existing.snapshot();
    }
    const panel = vscode.window.createWebviewPanel(
      COMPARE_PANEL_VIEW_TYPE,
      vscode.l10n.t('Compare: {0} vs {1}', fileName(a), fileName(b)),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      webviewOptions(this.services.extensionUri),
    );
    const comparePanel = this.adopt(panel, a, b);
    await comparePanel.firstResult();
    return comparePanel.snapshot();
  }

  /**
   * Brings back a panel VS Code restored after a reload. Its state comes from the webview, so
   * the files it names are read only if both are files of the workspace; otherwise the tab closes.
   */
  private revive(panel: vscode.WebviewPanel, rawState: unknown): void {
    const state = parseComparisonPanelState(rawState);
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file').map((folder) => folder.uri.fsPath);
    const restored = state ? [state.fileUriA, state.fileUriB].map((fileUri) => restorableFile({ fileUri }, folders)) : [];
    const [a, b] = restored.map((file) => (file ? vscode.Uri.file(file.path) : undefined));
    if (!a || !b || this.panels.has(pairKey(a, b))) {
      panel.dispose();
      return;
    }
    panel.webview.options = webviewOptions(this.services.extensionUri);
    this.adopt(panel, a, b);
  }

  private adopt(panel: vscode.WebviewPanel, a: vscode.Uri, b: vscode.Uri): ComparePanel {
    const key = pairKey(a, b);
    const comparePanel = new ComparePanel(
      this.services,
      panel,
      new LiveComparison(a, b, this.services.worker, this.services.log),
      (snapshot) => this.changed.fire(snapshot),
      () => {
        if (this.panels.get(key) === comparePanel) this.panels.delete(key);
      },
    );
    this.panels.set(key, comparePanel);
    return comparePanel;
  }

  snapshots(): ComparisonSnapshot[] {
    return [...this.panels.values()].map((panel) => panel.snapshot());
  }
}

/** One comparison panel: a view of the live comparison of its two files. */
class ComparePanel extends Disposable {
  private rendered: ComparisonSnapshot['rendered'];
  private visible: boolean;
  private readonly reloads: PageReloads;

  constructor(
    private readonly services: ComparePanelServices,
    private readonly panel: vscode.WebviewPanel,
    private readonly live: LiveComparison,
    private readonly onChange: (snapshot: ComparisonSnapshot) => void,
    private readonly onClosed: () => void,
  ) {
    super();
    this._register(live);
    this.visible = panel.visible;
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'icon.png');
    const page = () => this.html({ fileUriA: live.fileA.toString(), fileUriB: live.fileB.toString() });
    panel.webview.html = page();
    this.reloads = reloadOnLoadFailure(panel, page, services.log, (attempts) =>
      vscode.window.showWarningMessage(
        vscode.l10n.t(
          'Likelihood Lens: the comparison of {0} could not load its script after {1} attempts; close it and open it again.',
          panel.title,
          attempts,
        ),
      ),
    );
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.onDidChangeViewState(({ webviewPanel }) => (this.visible = webviewPanel.visible)));
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    this._register(live.onDidUpdate((result) => this.show(result)));
    this._register(
      live.onDidProgress((fraction) =>
        this.post({ type: 'progress', message: vscode.l10n.t('Reading the files\u2026 {0}%', Math.round(100 * fraction)), fraction }),
      ),
    );
  }

  firstResult(): Promise<ComparisonResult> {
    return this.live.firstResult();
  }

  reveal(): void {
    if (!this.isDisposed) this.panel.reveal(undefined, false);
  }

  close(): void {
    if (!this.isDisposed) this.panel.dispose();
  }

  snapshot(): ComparisonSnapshot {
    const latest = this.live.latest;
    const detail = this.isDisposed ? undefined : latest?.detail;
    return {
      fileUriA: this.live.fileA.toString(),
      fileUriB: this.live.fileB.toString(),
      version: latest?.version ?? 0,
      comparison: detail?.comparison,
      checks: (detail?.derivation.steps ?? []).flatMap((step) => (step.check ? [{ label: step.check.label, holds: step.check.holds }] : [])),
      error: latest?.error,
      visible: !this.isDisposed && this.visible,
      rendered: this.rendered,
    };
  }

  override dispose(): void {
    if (this.isDisposed) return;
    const last = this.snapshot();
    super.dispose();
    this.onClosed();
    this.onChange({ ...last, comparison: undefined, checks: [], visible: false });
  }

  private show(result: ComparisonResult): void {
    if (result.detail) this.post({ type: 'comparison', version: result.version, detail: result.detail });
    else this.post({ type: 'error', version: result.version, message: result.error ?? vscode.l10n.t('no result') });
    this.onChange(this.snapshot());
  }

  private receive(raw: unknown): void {
    const message = parseComparisonViewMessage(raw);
    if (!message) {
      this.services.log.warn(`Ignored a malformed message from the comparison panel: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    this.handle(message).catch((error: unknown) => this.services.log.error(`Comparison panel: ${describeError(error)}`));
  }

  private async handle(message: ComparisonViewMessage): Promise<void> {
    switch (message.type) {
      case 'loadFailed':
        this.reloads.failed();
        return;
      case 'ready':
        if (this.live.latest) this.show(this.live.latest);
        return;
      case 'revealRow':
        return this.revealRow(message.row);
      case 'copy': {
        const step = this.live.latest?.detail?.derivation.steps.find((candidate) => candidate.id === message.stepId);
        if (!step) return;
        await vscode.env.clipboard.writeText(step.latex);
        vscode.window.setStatusBarMessage(vscode.l10n.t('Likelihood Lens: copied to the clipboard'), 3000);
        return;
      }
      case 'rendered':
        this.rendered = { version: message.version, difference: message.difference, steps: message.steps };
        this.onChange(this.snapshot());
        return;
    }
  }

  /** Shows row `row` of both files side by side, in the two editor groups beside the panel: A on the left, B on the right. */
  private async revealRow(row: number): Promise<void> {
    const panelColumn = this.panel.viewColumn ?? vscode.ViewColumn.Two;
    const [columnA, columnB] = [vscode.ViewColumn.One, vscode.ViewColumn.Two, vscode.ViewColumn.Three].filter((column) => column !== panelColumn);
    await this.revealIn(this.live.fileA, row, columnA!);
    await this.revealIn(this.live.fileB, row, columnB!);
  }

  private async revealIn(file: vscode.Uri, row: number, viewColumn: vscode.ViewColumn): Promise<void> {
    if (!isTableFile(file.fsPath)) {
      // A tensor file has no line to select: it opens in its tensor view.
      await vscode.commands.executeCommand('vscode.open', file, { viewColumn, preserveFocus: true });
      return;
    }
    const document = await vscode.workspace.openTextDocument(file);
    const line = lineOfDataRow(document.getText(), row);
    const editor = await vscode.window.showTextDocument(document, { viewColumn, preserveFocus: true, preview: true });
    if (line === undefined) {
      vscode.window.setStatusBarMessage(vscode.l10n.t('Likelihood Lens: {0} has no row {1}', fileName(file), row), 5000);
      return;
    }
    const range = document.lineAt(Math.min(line, document.lineCount - 1)).range;
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private post(message: ComparisonHostMessage): void {
    if (!this.isDisposed) void this.panel.webview.postMessage(message);
  }

  private html(state: ComparisonPanelState): string {
    return webviewPage(this.panel.webview, this.services.extensionUri, {
      title: vscode.l10n.t('Likelihood Lens'),
      loading: vscode.l10n.t('Reading the files\u2026'),
      script: 'compare.js',
      styles: PANEL_STYLES,
      state,
    });
  }
}
