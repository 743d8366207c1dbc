import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderWebviewHtml } from '../../src/panel/webviewHtml';
import type { HostMessage } from '../../src/protocol/webview';
import { REPO_ROOT } from '../helpers/fixtures';
import { THEMES, type ThemeName } from './themes';

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.woff2': 'font/woff2', '.html': 'text/html' };

/** The webviews' pages, as their hosts build them. */
const PAGES: Record<string, { title: string; script: string; styles: string[]; state?: unknown }> = {
  '/': {
    title: 'Likelihood Lens',
    script: 'webview.js',
    styles: ['katex/katex.min.css', 'uPlot.min.css', 'panel.css'],
    state: { fileUri: 'file:///workspace/basic.csv', options: {} },
  },
  // A panel opened again for a file whose unit and reduction the host kept.
  '/reopened': {
    title: 'Likelihood Lens',
    script: 'webview.js',
    styles: ['katex/katex.min.css', 'uPlot.min.css', 'panel.css'],
    state: { fileUri: 'file:///workspace/basic.csv', options: {}, view: { unit: 'bits', reduction: 'sum' } },
  },
  '/tensors': { title: 'Tensor view', script: 'tensorView.js', styles: ['panel.css'] },
  // A page whose script cannot be fetched, as after a window reload in VS Code for the Web.
  '/unfetchable': { title: 'Likelihood Lens', script: 'missing.js', styles: ['panel.css'] },
  '/compare': {
    title: 'Likelihood Lens',
    script: 'compare.js',
    styles: ['katex/katex.min.css', 'uPlot.min.css', 'panel.css'],
    state: { fileUriA: 'file:///workspace/a.csv', fileUriB: 'file:///workspace/b.csv' },
  },
};

/** Serves the panel's real HTML (real CSP) and the built dist/ folder, as a webview would load them. */
export async function startPanelServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const dist = join(REPO_ROOT, 'dist');
  let origin = '';
  const server: Server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const page = PAGES[path];
    if (page) {
      const html = renderWebviewHtml({
        cspSource: origin,
        nonce: 'testnonce0123456789abcdefABCDEF00',
        title: page.title,
        scriptUri: `${origin}/dist/${page.script}`,
        styleUris: page.styles.map((style) => `${origin}/dist/${style}`),
        ...(page.state ? { initialState: page.state } : {}),
      });
      response.writeHead(200, { 'content-type': 'text/html' }).end(html);
      return;
    }
    const file = normalize(join(dist, path.replace(/^\/dist\//, '')));
    if (!path.startsWith('/dist/') || !file.startsWith(dist)) {
      response.writeHead(404).end();
      return;
    }
    // Read before answering: a missing file is a 404, not a 200 whose body never comes.
    const body = await readFile(file).catch(() => undefined);
    if (body) response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // A page nobody types into must keep rendering: webviews load on animation frames.
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
  });
}

/** What the page sent to its host, and CSP violations it hit. */
export interface PageRecord {
  posted: unknown[];
  state: unknown;
  violations: string[];
  errors: string[];
}

/** Opens the panel page with a stand-in for VS Code's webview API and a theme's variables. */
export async function openPanel(browser: Browser, origin: string, theme: ThemeName, width = 1100, path = '/'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const { bodyClass, variables } = THEMES[theme];
  await page.addInitScript(
    ({ bodyClass, variables }) => {
      const record = { posted: [] as unknown[], state: undefined as unknown, violations: [] as string[], errors: [] as string[] };
      (window as unknown as { __record: typeof record }).__record = record;
      (window as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => ({
        postMessage: (message: unknown) => record.posted.push(JSON.parse(JSON.stringify(message))),
        // Kept in sessionStorage so it survives a reload, as VS Code keeps it across a webview's reloads.
        getState: () => JSON.parse(sessionStorage.getItem('vscode-state') ?? 'null') ?? undefined,
        setState: (state: unknown) => {
          record.state = state;
          sessionStorage.setItem('vscode-state', JSON.stringify(state));
        },
      });
      document.addEventListener('securitypolicyviolation', (event) =>
        record.violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}:${event.columnNumber} ${event.sample}`),
      );
      window.addEventListener('error', (event) => record.errors.push(String(event.message)));
      document.addEventListener('DOMContentLoaded', () => {
        document.body.classList.add(bodyClass);
        for (const [name, value] of Object.entries(variables)) document.documentElement.style.setProperty(name, value);
      });
    },
    { bodyClass, variables },
  );
  await page.goto(`${origin}${path}`);
  await page.waitForFunction(() => (window as unknown as { __record: PageRecord }).__record.posted.length > 0);
  return page;
}

export async function postToPanel(page: Page, message: HostMessage | unknown): Promise<void> {
  await page.evaluate((data) => window.postMessage(data, '*'), message as object);
}

export async function pageRecord(page: Page): Promise<PageRecord> {
  return page.evaluate(() => (window as unknown as { __record: PageRecord }).__record);
}
