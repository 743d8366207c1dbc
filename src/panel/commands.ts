import * as vscode from 'vscode';
import type { LossPanelManager } from './lossPanel';
import type { ComparePanelManager } from './comparePanel';
import { pickWorkspaceFile, resolveDataFile } from './pickDataFile';
import { copySamples, SAMPLES_FOLDER } from '../host/samples';

/** How the commands tell the user something went wrong: one line, details in the output channel. */
export interface Reporter {
  /** One line in a notification. */
  notify(message: string): void;
  /** A failure: logged with its stack, shown as one line. */
  report(error: unknown): void;
}

/** The commands of the loss panel, the comparison panel, the tensor view's "reopen with", and the sample. */
export function registerCommands(context: vscode.ExtensionContext, panels: LossPanelManager, comparisons: ComparePanelManager, reporter: Reporter): void {
  const compare = async (a: vscode.Uri, b: vscode.Uri) => {
    const snapshot = await comparisons.show(a, b);
    if (snapshot.error) reporter.notify(snapshot.error);
    return snapshot;
  };
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
    // From the palette, an editor's title or the explorer: (file A) or (file A, file B); from the
    // explorer with two files selected, (the clicked file, [both]).
    vscode.commands.registerCommand('likelihoodLens.compareWith', async (arg?: unknown, second?: unknown) => {
      try {
        const pair = selectedPair(second);
        if (pair) return await compare(...pair);
        const a = await resolveDataFile(arg, vscode.l10n.t('Pick the first data file to compare, A'));
        if (!a) return undefined;
        const b =
          second instanceof vscode.Uri
            ? second
            : await pickWorkspaceFile(vscode.l10n.t('Compare {0} with\u2026 (pick the second data file, B)', vscode.workspace.asRelativePath(a)), a);
        return b ? await compare(a, b) : undefined;
      } catch (error) {
        reporter.report(error);
        return undefined;
      }
    }),
    vscode.commands.registerCommand('likelihoodLens.compareSelected', async (_clicked?: unknown, selected?: unknown) => {
      try {
        const pair = selectedPair(selected);
        if (pair) return await compare(...pair);
        reporter.notify(vscode.l10n.t('Likelihood Lens: select two data files in the explorer to compare their losses.'));
        return undefined;
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
      try {
        const target = await sampleFolder(context);
        if (!target) return undefined;
        // A copy, never the extension's own file: that one is read-only and replaced by every update.
        const sample = vscode.Uri.file(await copySamples(vscode.Uri.joinPath(context.extensionUri, 'media', 'samples').fsPath, target.fsPath));
        await vscode.window.showTextDocument(sample, { preview: false });
        return await vscode.commands.executeCommand('likelihoodLens.openLossPanel', sample);
      } catch (error) {
        reporter.report(error);
        return undefined;
      }
    }),
  );
}

/** Two files selected together, in the explorer's order: A first. */
function selectedPair(selected: unknown): [vscode.Uri, vscode.Uri] | undefined {
  if (!Array.isArray(selected) || selected.length !== 2 || !selected.every((item) => item instanceof vscode.Uri)) return undefined;
  return [selected[0] as vscode.Uri, selected[1] as vscode.Uri];
}

/**
 * Where the samples are copied: a new folder in the workspace's first folder if the user agrees
 * to it being written there, else the extension's global storage; undefined if the user cancels.
 */
async function sampleFolder(context: vscode.ExtensionContext): Promise<vscode.Uri | undefined> {
  const storage = vscode.Uri.joinPath(context.globalStorageUri, SAMPLES_FOLDER);
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || folder.uri.scheme !== 'file') return storage;
  const inWorkspace = vscode.l10n.t('Copy into the workspace');
  const outside = vscode.l10n.t('Keep outside the workspace');
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t('Copy the sample data files into a new folder {0} of {1}?', SAMPLES_FOLDER, folder.name),
    { modal: true, detail: vscode.l10n.t("Outside the workspace, they go to the extension's storage folder.") },
    inWorkspace,
    outside,
  );
  if (choice === inWorkspace) return vscode.Uri.joinPath(folder.uri, SAMPLES_FOLDER);
  return choice === outside ? storage : undefined;
}
