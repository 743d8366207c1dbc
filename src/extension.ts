import * as vscode from 'vscode';
import { LOSS_PANEL_VIEW_TYPE, LossPanel, type PanelServices, type PanelSnapshot } from './panel/lossPanel';
import { resolveDataFile } from './panel/pickDataFile';
import { parsePanelState } from './protocol';
import { describeError } from './readers/errors';

/** What the extension exports: read-only views of its panels, used by its integration tests. */
export interface LikelihoodLensApi {
  panels(): PanelSnapshot[];
}

export function activate(context: vscode.ExtensionContext): LikelihoodLensApi {
  const log = vscode.window.createOutputChannel('Likelihood Lens', { log: true });
  const services: PanelServices = { extensionUri: context.extensionUri, log };

  context.subscriptions.push(
    log,
    vscode.commands.registerCommand('likelihoodLens.openLossPanel', async (arg?: unknown) => {
      try {
        const file = await resolveDataFile(arg);
        return file ? await LossPanel.show(services, file) : undefined;
      } catch (error) {
        const message = describeError(error);
        log.error(message);
        void vscode.window.showErrorMessage(`Likelihood Lens: ${message}`);
        return undefined;
      }
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

  return { panels: () => LossPanel.snapshots() };
}

export function deactivate(): void {}
