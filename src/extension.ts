import * as vscode from 'vscode';
import { join } from 'node:path';
import { AnalysisWorker } from './host/analysisWorker';
import { AutoOpen } from './host/autoOpen';
import { LiveAnalyses } from './host/liveAnalyses';
import { DataFileProblems } from './host/problems';
import { readSettings } from './host/settings';
import { workerEnvironment } from './host/settingValues';
import { LossStatusBar } from './host/statusBar';
import { registerCommands, type Reporter } from './panel/commands';
import { LossPanelManager, type PanelSnapshot } from './panel/lossPanel';
import { ComparePanelManager, type ComparisonSnapshot } from './panel/comparePanel';
import { PanelViews } from './host/panelViews';
import { TENSOR_VIEW_TYPE, TensorEditorProvider } from './panel/tensorEditor';
import { describeError } from './readers/errors';

/** What the extension exports: read-only views of its state, used by its integration tests. */
export interface LikelihoodLensApi {
  panels(): PanelSnapshot[];
  /** Open tensor views: file URI -> each tensor's name, dtype and shape as shown (or the error). */
  tensorViews(): Record<string, string>;
  readonly onDidChangePanel: vscode.Event<PanelSnapshot>;
  /** Open comparison panels. */
  comparisons(): ComparisonSnapshot[];
  readonly onDidChangeComparison: vscode.Event<ComparisonSnapshot>;
  statusBarText(): string | undefined;
}

export function activate(context: vscode.ExtensionContext): LikelihoodLensApi {
  const log = vscode.window.createOutputChannel(vscode.l10n.t('Likelihood Lens'), { log: true });
  // One worker thread for every file and view, started on first use; its environment carries the kernel switch to its scoring threads.
  const worker = new AnalysisWorker(join(context.extensionUri.fsPath, 'dist', 'worker.js'), () => workerEnvironment(readSettings(), process.env));
  const analyses = new LiveAnalyses(worker, log);
  context.subscriptions.push(
    log,
    { dispose: () => worker.dispose() },
    analyses,
    vscode.workspace.onDidChangeConfiguration((event) => event.affectsConfiguration('likelihoodLens.kernel.enabled') && worker.restart()),
  );

  const panels = new LossPanelManager({ extensionUri: context.extensionUri, log, analyses, views: new PanelViews(context.workspaceState) });
  const comparisons = new ComparePanelManager({ extensionUri: context.extensionUri, log, worker });
  const statusBar = new LossStatusBar(analyses);
  const tensorEditor = new TensorEditorProvider(context.extensionUri, worker, log);
  context.subscriptions.push(
    panels,
    comparisons,
    statusBar,
    new DataFileProblems(analyses),
    vscode.window.registerCustomEditorProvider(TENSOR_VIEW_TYPE, tensorEditor, { supportsMultipleEditorsPerDocument: true }),
  );
  const reporter = reporterFor(log);
  context.subscriptions.push(
    new AutoOpen(
      (file) => panels.show(file, true).catch(reporter.report),
      (file) => panels.isShown(file),
    ),
  );
  registerCommands(context, panels, comparisons, reporter);

  return {
    panels: () => panels.snapshots(),
    tensorViews: () => tensorEditor.views(),
    onDidChangePanel: panels.onDidChange,
    comparisons: () => comparisons.snapshots(),
    onDidChangeComparison: comparisons.onDidChange,
    statusBarText: () => statusBar.text,
  };
}

/** Reports a failure once: one line in a notification, whose button shows the details in the output channel. */
function reporterFor(log: vscode.LogOutputChannel): Reporter {
  const notify = (message: string) => {
    const details = vscode.l10n.t('Show Details');
    void vscode.window.showErrorMessage(message, details).then((choice) => choice === details && log.show(true));
  };
  return {
    notify,
    report: (error: unknown) => {
      const message = describeError(error);
      log.error(error instanceof Error && error.stack ? error.stack : message);
      notify(vscode.l10n.t('Likelihood Lens: {0}', message));
    },
  };
}

export function deactivate(): void {}
