// Start-up figures: what activating the extension costs the shared extension host, and how soon
// a big file's first progress (with its first partial cross-entropy) reaches the editor.
//
//   node bench/startup.mjs activation      -> JSON {loadMs, activateMs}, in a fresh process
//   node bench/startup.mjs progress FILE   -> JSON {firstProgressMs, firstPartialMs, doneMs}
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** A stand-in for the `vscode` module: every property, call and construction gives another stand-in. */
function stub() {
  const target = function () {};
  return new Proxy(target, {
    get: (_t, key) => (key === Symbol.toPrimitive ? () => '' : key === Symbol.hasInstance ? () => false : key === 'then' ? undefined : stub()),
    set: () => true,
    apply: () => stub(),
    construct: () => stub(),
  });
}

/** The module itself lists the API's names, as the bundle copies them into its own namespace object. */
function vscodeModule() {
  const declarations = readFileSync(require.resolve('@types/vscode/index.d.ts'), 'utf8');
  const names = [...new Set([...declarations.matchAll(/^\s*export (?:class|namespace|enum|function|const|let) (\w+)/gm)].map((match) => match[1]))];
  return Object.fromEntries(names.map((name) => [name, stub()]));
}

function activation() {
  const Module = require('node:module');
  const load = Module._load;
  const vscode = vscodeModule();
  Module._load = function (request, ...rest) {
    return request === 'vscode' ? vscode : load.call(this, request, ...rest);
  };
  const started = performance.now();
  const extension = require(join(ROOT, 'dist', 'extension.js'));
  const loaded = performance.now();
  extension.activate({ extensionUri: { fsPath: ROOT, toString: () => ROOT }, subscriptions: [] });
  const activated = performance.now();
  return { loadMs: loaded - started, activateMs: activated - loaded };
}

function progress(path) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const worker = new Worker(join(ROOT, 'dist', 'worker.js'));
    const times = {};
    worker.on('message', (reply) => {
      const now = performance.now() - started;
      if (reply.type === 'progress') {
        times.firstProgressMs ??= now;
        if (reply.partial) times.firstPartialMs ??= now;
        return;
      }
      times.doneMs = now;
      if (reply.error) reject(new Error(reply.error));
      else resolve(times);
      void worker.terminate();
    });
    worker.on('error', reject);
    worker.postMessage({ id: 1, source: { kind: 'path', path }, options: {} });
  });
}

const [mode, file] = process.argv.slice(2);
const result = mode === 'activation' ? activation() : await progress(file);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
