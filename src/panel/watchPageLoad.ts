import type * as vscode from 'vscode';
import { PageReloads } from './webviewLoad';

/**
 * Sets a webview panel's page again when it reports that its script could not be fetched (see
 * webviewLoad.ts); the page's saved state brings back what it showed.
 */
export function reloadOnLoadFailure(
  panel: vscode.WebviewPanel,
  page: () => string,
  log: vscode.LogOutputChannel,
  giveUp: (failures: number) => unknown,
): PageReloads {
  return new PageReloads({
    reload: (attempt) => {
      log.warn(`${panel.title}: the page's script could not be fetched; loading the page again (attempt ${attempt + 1})`);
      panel.webview.html = page();
    },
    giveUp: (failures) => {
      log.error(`${panel.title}: the page's script could not be fetched ${failures} times`);
      void giveUp(failures);
    },
  });
}
