import * as vscode from 'vscode';
import type { LossPanelManager } from './lossPanel';
import { resolveDataFile } from './pickDataFile';

/** How the commands tell the user something went wrong: one line, details in the output channel. */
export interface Reporter {
  /** One line in a notification. */
  notify(message: string): void;
  /** A failure: logged with its stack, shown as one line. */
  report(error: unknown): void;
}

/** The commands of the loss panel, the tensor view's "reopen with", and the sample. */
export function registerCommands(context: vscode.ExtensionContext, panels: LossPanelManager, reporter: Reporter): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('likelihoodLens.openLossPanel', async (arg?: unknown) => {
      try {
        const file = await resolveDataFile(arg);
        if (!file) return undefined;
        const snapshot = await panels.show(file);
        if (snapshot.error) reporter.notify(snapshot.error);
        return snapshot;
      } catch (error) {
        reporter.report(error);
        return undefined;
      }
    }),
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
  );
}
