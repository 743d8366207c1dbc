/**
 * Runs a real VS Code (code-server: the full workbench and its Node extension host) on this
 * machine, bound to 127.0.0.1, and drives it from headless Chromium.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../webview/harness';

export const CODE_SERVER_VERSION = '4.100.3';
const CACHE = process.env.LIKELIHOOD_LENS_CACHE ?? join(homedir(), '.cache', 'likelihood-lens');
export const CODE_SERVER_DIR = join(CACHE, `code-server-${CODE_SERVER_VERSION}`);
const ENTRY = join(CODE_SERVER_DIR, 'out', 'node', 'entry.js');

export function assertCodeServerInstalled(): void {
  if (!existsSync(join(CODE_SERVER_DIR, '.installed')))
    throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed in ${CODE_SERVER_DIR}: run bash scripts/setup.sh`);
}

const QUIET_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'terminal.integrated.hideOnStartup': 'always',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'window.restoreWindows': 'none',
  'chat.commandCenter.enabled': false,
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** The server's own output and the tail of every log file it wrote (extension host, output channels), for a failure's report. */
  logs(): string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  /** A VSIX to install into the fresh extensions folder before starting. */
  readonly vsix?: string;
  readonly settings?: Record<string, unknown>;
}

/** Fresh user-data and extensions folders, so runs never see each other. */
function freshProfile(settings: Record<string, unknown> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'likelihood-lens-vscode-'));
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
  // code-server writes a default config under XDG_CONFIG_HOME; keep it inside the profile.
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: join(root, 'config'),
    XDG_DATA_HOME: join(root, 'data'),
    // No marketplace here: point the gallery at a closed loopback port so nothing reaches out.
    EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery', itemUrl: 'http://127.0.0.1:9/items' }),
  };
  return { root, userDataDir, extensionsDir, env };
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  assertCodeServerInstalled();
  const profile = freshProfile(options.settings);
  const common = ['--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir];
  if (options.vsix) {
    const install = spawnSync(process.execPath, [ENTRY, ...common, '--install-extension', options.vsix], {
      env: profile.env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (install.status !== 0) throw new Error(`installing ${options.vsix} failed: ${install.stderr || install.stdout}`);
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ENTRY,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      ...common,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
    ],
    // Its own process group: the pty host and file watcher it forks are stopped with it.
    { env: profile.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await new Promise((resolve) => {
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
          resolve(undefined);
        }, 5000);
        child.once('exit', () => (clearTimeout(timer), resolve(undefined)));
      });
    }
    rmSync(profile.root, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`code-server exited (${child.exitCode}): ${output}`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer within 60 s: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const logs = () => [`== code-server output\n${output.slice(-4000)}`, ...logTails(profile.userDataDir)].join('\n');
  return { url, port, userDataDir: profile.userDataDir, extensionsDir: profile.extensionsDir, logs, stop };
}

/** The last lines of each `.log` file under `dir`. */
function logTails(dir: string): string[] {
  const tails: string[] = [];
  const visit = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.log')) tails.push(`== ${path.slice(dir.length + 1)}\n${readFileSync(path, 'utf8').split('\n').slice(-40).join('\n')}`);
    }
  };
  if (existsSync(dir)) visit(dir);
  return tails;
}

export interface Workbench {
  readonly browser: Browser;
  readonly page: Page;
  close(): Promise<void>;
}

/** Opens the workbench on a folder in headless Chromium and waits until it is up. */
export async function openWorkbench(server: CodeServer, folder: string, query = ''): Promise<Workbench> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}${query}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  return { browser, page, close: () => browser.close() };
}

export interface SuiteResult {
  readonly exitCode: number;
  readonly log: readonly string[];
}

/**
 * Runs a mocha suite inside the real extension host, as @vscode/test-electron would: the
 * workbench loads the extension under development and calls the suite's run(); it reports
 * the outcome through codeAutomationExit (0 when run() resolves, 1 when it throws).
 */
export async function runExtensionTestSuite(options: {
  extensionPath: string;
  testsPath: string;
  workspace: string;
  timeoutMs?: number;
}): Promise<SuiteResult> {
  const server = await startCodeServer();
  const browser = await launchChromium();
  const log: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let settle: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (settle = resolve));
    // The workbench forwards the extension host's console calls: printf-style arguments.
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      log.push(Array.isArray(args) ? format(...args) : String(args ?? type));
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => settle(code));
    // Errors inside webviews (nested frames) land here, not in the extension host's console.
    page.on('console', (message) => {
      if (message.type() === 'error' && message.location().url.includes('webview')) log.push(`[webview error] ${message.text()}`);
    });
    page.on('pageerror', (error) => log.push(`[page error] ${error.message}`));
    const remote = (path: string) => `vscode-remote://127.0.0.1:${server.port}${path}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(options.extensionPath)],
      ['extensionTestsPath', remote(options.testsPath)],
    ]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(options.workspace)}&payload=${encodeURIComponent(payload)}`);
    // Seen here: with no input at all, webviews opened after the first one never load in this
    // headless page. A person at the window moves the mouse now and then; the harness does too.
    let x = 0;
    const presence = setInterval(() => void page.mouse.move(600 + (x = (x + 37) % 200), 400).catch(() => undefined), 250);
    const timeoutMs = options.timeoutMs ?? 300_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the extension test suite did not finish within ${timeoutMs / 1000} s; log so far:\n${log.join('\n')}`)),
        timeoutMs,
      );
    });
    const exitCode = await Promise.race([exited, timedOut]).finally(() => {
      clearTimeout(timer);
      clearInterval(presence);
    });
    if (exitCode !== 0) {
      // What each webview frame showed, to tell a webview that never loaded from one that failed.
      for (const frame of page.frames()) {
        const text = await frame.evaluate(() => document.body?.innerText.slice(0, 120) ?? '').catch(() => '(unreadable)');
        log.push(`[frame] ${frame.url().slice(0, 120)} :: ${text.replace(/\s+/g, ' ')}`);
      }
    }
    // The extension's own warnings (a page loaded again, a failed analysis) say what a slow test waited for.
    log.push(
      ...server
        .logs()
        .split('\n')
        .filter((line) => /\[(warning|error)\]/.test(line) && !line.includes('ECONNREFUSED')),
    );
    return { exitCode, log };
  } finally {
    await browser.close();
    await server.stop();
  }
}
