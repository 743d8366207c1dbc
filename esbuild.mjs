// One build for every bundle: the extension host, its worker, the CLI, the webview and the tests.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import wabtInit from 'wabt';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

function findTests(dir, suffix = '.test.ts') {
  const found = [];
  if (!existsSync(dir)) return found;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path, suffix));
    else if (name.endsWith(suffix)) found.push(path);
  }
  return found;
}

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

/**
 * hyparquet trusts the run lengths in a page's level data: a corrupt run of 2^31 writes past the
 * page's row count for minutes. The guard clamps each run to the page, which is what a valid file
 * has anyway. The build fails if the code it guards changes, so the guard cannot silently lapse.
 */
const hyparquetRunGuard = {
  name: 'hyparquet-run-guard',
  setup(build) {
    build.onLoad({ filter: /[\\/]hyparquet[\\/]src[\\/]encoding\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const unguarded = 'for (let i = 0; i < count; i++) {\n    output[seen + i] = value';
      if (!source.includes(unguarded)) throw new Error(`${args.path}: the run-length loop to guard was not found; check hyparquet's readRle`);
      return {
        contents: source.replace(unguarded, 'for (let i = 0, end = Math.min(count, output.length - seen); i < end; i++) {\n    output[seen + i] = value'),
        loader: 'js',
      };
    });
    // A snappy literal's 4-byte length is masked with a signed `&`: a corrupt one turns negative,
    // passes the bounds check and walks the input backwards for seconds. Read unsigned, it is refused.
    build.onLoad({ filter: /[\\/]hyparquet[\\/]src[\\/]snappy\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const signed = 'len = (len & WORD_MASK[lengthSize]) + 1';
      if (!source.includes(signed)) throw new Error(`${args.path}: the literal length to guard was not found; check hyparquet's snappyUncompress`);
      return { contents: source.replace(signed, 'len = ((len & WORD_MASK[lengthSize]) >>> 0) + 1'), loader: 'js' };
    });
  },
};

/**
 * `import bytes from './x.wat'` gives the module assembled by wabt, base64 in the bundle: the
 * text is the source, the binary is never checked in, and no .wasm file has to be found at run
 * time. SIMD is in wabt's default features.
 */
const watModules = {
  name: 'wat-modules',
  setup(build) {
    let wabt;
    build.onLoad({ filter: /\.wat$/ }, async (args) => {
      wabt ??= await wabtInit();
      const module = wabt.parseWat(args.path, readFileSync(args.path, 'utf8'));
      try {
        module.validate();
        const { buffer } = module.toBinary({});
        return { contents: `export default ${JSON.stringify(Buffer.from(buffer).toString('base64'))};`, loader: 'js' };
      } finally {
        module.destroy();
      }
    });
  },
};

const nodeCommon = { ...common, platform: 'node', target: 'node20', format: 'cjs', plugins: [hyparquetRunGuard, watModules] };

const builds = [
  // Extension host: `vscode` is provided by the host at run time.
  {
    ...nodeCommon,
    entryPoints: { extension: 'src/extension.ts', worker: 'src/worker.ts', scoringThread: 'src/scoringThread.ts' },
    outdir: 'dist',
    external: ['vscode'],
  },
  { ...nodeCommon, entryPoints: { cli: 'src/cli.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  // The webview runs in a browser sandbox under a strict CSP.
  {
    ...common,
    platform: 'browser',
    target: 'chrome114',
    format: 'iife',
    entryPoints: { webview: 'webview/main.ts', tensorView: 'webview/tensorView.ts', compare: 'webview/compare.ts' },
    outdir: 'dist',
    loader: { '.woff2': 'file', '.woff': 'file', '.ttf': 'file' },
  },
  // The micro-benchmarks that bench/run.mjs runs (out/ is never shipped either).
  {
    ...nodeCommon,
    sourcemap: false,
    minify: false,
    entryPoints: { kernel: 'bench/kernel.ts', parquetReads: 'bench/parquetReads.ts', stages: 'bench/stages.ts' },
    outdir: 'out/bench',
  },
  // Tests (never shipped: .vscodeignore keeps out/ out of the VSIX).
  {
    ...nodeCommon,
    sourcemap: 'linked',
    minify: false,
    entryPoints: [
      ...findTests('test/unit'),
      ...findTests('test/webview'),
      ...findTests('test/vscode'),
      ...findTests('test/suite'),
      // The webview harness also serves bench/slider.mjs.
      ...['test/suite/index.ts', 'test/electron/runElectron.ts', 'test/webview/harness.ts'].filter(existsSync),
    ],
    outbase: 'test',
    outdir: 'out/test',
    external: ['vscode', 'mocha', 'playwright-core', '@vscode/test-electron'],
  },
];

function copyStatic() {
  // KaTeX's stylesheet references its fonts relatively; ship both so the panel works offline.
  mkdirSync('dist/katex/fonts', { recursive: true });
  cpSync('node_modules/katex/dist/katex.min.css', 'dist/katex/katex.min.css');
  for (const font of readdirSync('node_modules/katex/dist/fonts')) {
    if (font.endsWith('.woff2')) cpSync(join('node_modules/katex/dist/fonts', font), join('dist/katex/fonts', font));
  }
  cpSync('node_modules/uplot/dist/uPlot.min.css', 'dist/uPlot.min.css');
  cpSync('webview/panel.css', 'dist/panel.css');
}

if (watch) {
  for (const options of builds) (await esbuild.context(options)).watch();
  copyStatic();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  copyStatic();
}
