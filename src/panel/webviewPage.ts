import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { makeNonce, renderWebviewHtml } from './webviewHtml';
import { PageReloads } from './webviewLoad';

/** The stylesheets of the panels that draw equations and plots. */
export const PANEL_STYLES: readonly (readonly string[])[] = [['katex', 'katex.min.css'], ['uPlot.min.css'], ['panel.css']];

/** A webview's page: a script and styles of the extension's dist/, a fresh nonce, and the state it starts from. */
export function webviewPage(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  page: {
    readonly title: string;
    readonly loading: string;
    readonly script: string;
    readonly styles: readonly (readonly string[])[];
    readonly state?: unknown;
  },
): string {
  const asset = (path: readonly string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', ...path)).toString();
  return renderWebviewHtml({
    cspSource: webview.cspSource,
    nonce: makeNonce((size) => randomBytes(size)),
    title: page.title,
    loading: page.loading,
    scriptUri: asset([page.script]),
    styleUris: page.styles.map(asset),
    ...(page.state !== undefined ? { initialState: page.state } : {}),
  });
}

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
