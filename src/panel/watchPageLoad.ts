import type * as vscode from 'vscode';
import { WebviewLoadWatchdog } from './webviewLoad';

/**
 * Watches a webview page's load and sets its HTML again when it never says it is ready (see
 * webviewLoad.ts); the page's saved state brings back what it showed.
 */
export function watchPageLoad(
  panel: vscode.WebviewPanel,
  page: () => string,
  log: vscode.LogOutputChannel,
  giveUp: (attempts: number) => unknown,
): WebviewLoadWatchdog {
  let disposed = false;
  panel.onDidDispose(() => (disposed = true));
  return new WebviewLoadWatchdog({
    isVisible: () => !disposed && panel.visible,
    reload: (attempt) => {
      log.warn(`${panel.title}: the page did not load; loading it again (attempt ${attempt + 1})`);
      panel.webview.html = page();
    },
    giveUp: (attempts) => {
      log.error(`${panel.title}: the page did not load after ${attempts} attempts`);
      void giveUp(attempts);
    },
  });
}
