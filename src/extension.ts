import * as vscode from 'vscode';
import { join } from 'node:path';
import { AutoOpen } from './host/autoOpen';
import { LiveAnalyses } from './host/liveAnalyses';
import { DataFileProblems } from './host/problems';
import { LossStatusBar } from './host/statusBar';
import { TENSOR_VIEW_TYPE, TensorEditorProvider } from './host/tensorEditor';
import { LOSS_PANEL_VIEW_TYPE, LossPanel, type PanelServices, type PanelSnapshot } from './panel/lossPanel';
import { resolveDataFile } from './panel/pickDataFile';
import { parsePanelState } from './protocol';
import { describeError } from './readers/errors';

/** What the extension exports: read-only views of its state, used by its integration tests. */
export interface LikelihoodLensApi {
  panels(): PanelSnapshot[];
  /** Open tensor views: file URI -> each tensor's name, dtype and shape as shown (or the error). */
  tensorViews(): Record<string, string>;
  readonly onDidChangePanel: vscode.Event<PanelSnapshot>;
  statusBarText(): string | undefined;
}

export function activate(context: vscode.ExtensionContext): LikelihoodLensApi {
  const log = vscode.window.createOutputChannel(vscode.l10n.t('Likelihood Lens'), { log: true });
  const analyses = new LiveAnalyses(join(context.extensionUri.fsPath, 'dist', 'worker.js'), log);
  const services: PanelServices = { extensionUri: context.extensionUri, log, analyses };
  const statusBar = new LossStatusBar(analyses);
  const tensorEditor = new TensorEditorProvider(context.extensionUri, join(context.extensionUri.fsPath, 'dist', 'worker.js'), log);

  /** One line in a notification; the button shows the details in the output channel. */
  const notify = (message: string) => {
    const details = vscode.l10n.t('Show Details');
    void vscode.window.showErrorMessage(message, details).then((choice) => choice === details && log.show(true));
  };
  /** Reports a failure once: one line in a notification, the details in the output channel. */
  const report = (error: unknown) => {
    const message = describeError(error);
    log.error(error instanceof Error && error.stack ? error.stack : message);
    notify(vscode.l10n.t('Likelihood Lens: {0}', message));
  };

  context.subscriptions.push(
    log,
    analyses,
    statusBar,
    new DataFileProblems(analyses),
    new AutoOpen((file) => LossPanel.show(services, file, true).catch(report), (file) => LossPanel.isShown(file)),
    vscode.commands.registerCommand('likelihoodLens.openLossPanel', async (arg?: unknown) => {
      try {
        const file = await resolveDataFile(arg);
        if (!file) return undefined;
        const snapshot = await LossPanel.show(services, file);
        if (snapshot.error) notify(snapshot.error);
        return snapshot;
      } catch (error) {
        report(error);
        return undefined;
      }
    }),
    vscode.window.registerCustomEditorProvider(TENSOR_VIEW_TYPE, tensorEditor, { supportsMultipleEditorsPerDocument: true }),
    vscode.commands.registerCommand('likelihoodLens.reopenWithDefault', async (arg?: unknown) => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      const uri = arg instanceof vscode.Uri ? arg : input instanceof vscode.TabInputCustom ? input.uri : undefined;
      if (uri) await vscode.commands.executeCommand('vscode.openWith', uri, 'default');
    }),
    vscode.commands.registerCommand('likelihoodLens.openSample', async () => {
      const sample = vscode.Uri.joinPath(context.extensionUri, 'media', 'samples', 'classifier.csv');
      await vscode.window.showTextDocument(sample, { preview: false });
      return vscode.commands.executeCommand('likelihoodLens.openLossPanel', sample);
    }),
    vscode.window.registerWebviewPanelSerializer(LOSS_PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel, rawState) {
        const state = parsePanelState(rawState);
        if (state) LossPanel.revive(services, panel, state);
        else panel.dispose();
      },
    }),
    { dispose: () => LossPanel.disposeAll() },
  );

  return { panels: () => LossPanel.snapshots(), tensorViews: () => tensorEditor.views(), onDidChangePanel: LossPanel.onDidChange, statusBarText: () => statusBar.text };
}

export function deactivate(): void {}
