/** The webviews' HTML shell, kept free of `vscode` so the webview tests load the very same page. */

export interface WebviewAssets {
  /** The webview's `cspSource` (or the test server's origin). */
  readonly cspSource: string;
  readonly nonce: string;
  readonly title: string;
  /** Shown until the script has rendered; the host passes it translated. */
  readonly loading?: string;
  readonly scriptUri: string;
  readonly styleUris: readonly string[];
  /** Initial state for the page, posted again later; escaped into a data attribute. */
  readonly initialState?: unknown;
}

const escapeText = (value: string): string => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttribute = (value: string): string => escapeText(value).replace(/"/g, '&quot;');

/**
 * Strict CSP: no inline or remote scripts, no eval; styles and fonts only from the extension.
 * KaTeX and uPlot set element styles through the CSSOM, which style-src does not restrict. The
 * toolkit probes for :focus-visible with a <style> element carrying the nonce it finds in the
 * csp-nonce meta tag, hence the nonce in style-src (no 'unsafe-inline').
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    // Nothing in the page may change where relative URLs point or send a form anywhere.
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * Runs before the page's script: if that script cannot be fetched (in VS Code for the Web, a page
 * loaded just after a window reload, before the webview's service worker controls it, gets
 * net::ERR_NAME_NOT_RESOLVED), nothing of the page runs, so this asks the host to set the page
 * again. The API is only acquired then, when the page's script never will.
 */
export const LOAD_FAILURE_REPORTER = `addEventListener('error', (event) => {
  if (event.target instanceof HTMLScriptElement) acquireVsCodeApi().postMessage({ type: 'loadFailed' });
}, true);`;

export function renderWebviewHtml(assets: WebviewAssets): string {
  const state = assets.initialState === undefined ? '' : ` data-state="${escapeAttribute(JSON.stringify(assets.initialState))}"`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(contentSecurityPolicy(assets.cspSource, assets.nonce))}">
<meta property="csp-nonce" content="${escapeAttribute(assets.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${assets.styleUris.map((uri) => `<link rel="stylesheet" href="${escapeAttribute(uri)}">`).join('\n')}
<title>${escapeAttribute(assets.title)}</title>
</head>
<body${state}>
<main id="app" aria-live="polite"><p class="status">${escapeText(assets.loading ?? 'Reading the file\u2026')}</p></main>
<script nonce="${escapeAttribute(assets.nonce)}">${LOAD_FAILURE_REPORTER}</script>
<script nonce="${escapeAttribute(assets.nonce)}" src="${escapeAttribute(assets.scriptUri)}"></script>
</body>
</html>`;
}

/** 32 random alphanumerics for the script nonce. */
export function makeNonce(random: (size: number) => Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(random(32), (byte) => alphabet[byte % alphabet.length]).join('');
}
