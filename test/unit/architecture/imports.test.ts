import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../helpers/fixtures';

/**
 * The layout's rule, checked on every source file: a file imports from its own folder or from
 * a lower stage, never from a sibling of its own stage or from an entry point; `vscode` only at
 * the edge; the webview only through its protocol file; and no import cycle anywhere.
 */

/** Stages from the bottom up; a folder's rank is that of the longest prefix that names it. */
const STAGES: readonly (readonly [string, number])[] = [
  ['src/readers', 1],
  ['src/roles', 2],
  ['src/engine', 3],
  // Inside the analysis stage: sizes and the result schema, then rows, threads, tasks, sources, and its entry.
  ['src/analysis/sizes.ts', 4.0],
  ['src/analysis/results.ts', 4.0],
  ['src/analysis/rows', 4.1],
  ['src/analysis/threads', 4.2],
  ['src/analysis/tasks', 4.3],
  ['src/analysis/report', 4.3],
  ['src/analysis/sources', 4.4],
  ['src/analysis', 4.5],
  ['src/protocol', 5],
  ['src/worker', 6],
  ['src/cli', 6],
  ['src/host', 6],
  ['src/panel', 7],
];
const ENTRY_POINTS = ['src/extension.ts', 'src/cli.ts', 'src/worker.ts', 'src/scoringThread.ts'];
const VSCODE_ALLOWED = ['src/host/', 'src/panel/', 'src/extension.ts'];

function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(REPO_ROOT, folder))) {
    const path = `${folder}/${name}`;
    if (statSync(join(REPO_ROOT, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Every import or re-export of a file: relative ones resolved to repository paths, packages by name. */
function importsOf(file: string): { relative: string[]; packages: string[] } {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  const relativeImports: string[] = [];
  const packages: string[] = [];
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|require\(\s*'([^']+)'\s*\)/g)) {
    const spec = match[1] ?? match[2] ?? match[3]!;
    if (spec.startsWith('.')) {
      const target = relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), spec))
        .split('\\')
        .join('/');
      const candidates = [`${target}.ts`, `${target}/index.ts`, target];
      relativeImports.push(
        candidates.find((c) => {
          try {
            return statSync(join(REPO_ROOT, c)).isFile();
          } catch {
            return false;
          }
        }) ?? `${target}.ts`,
      );
    } else packages.push(spec);
  }
  return { relative: relativeImports, packages };
}

function stageOf(file: string): { readonly prefix: string; readonly rank: number } | undefined {
  let best: { prefix: string; rank: number } | undefined;
  for (const [prefix, rank] of STAGES) {
    if ((file === prefix || file.startsWith(`${prefix}/`)) && (!best || prefix.length > best.prefix.length)) best = { prefix, rank };
  }
  return best;
}

/** Imports that break the rule, as 'from -> to (why)'. */
function ruleBreaks(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const broken: string[] = [];
  for (const [file, targets] of graph) {
    const from = ENTRY_POINTS.includes(file) ? { prefix: file, rank: Infinity } : stageOf(file)!;
    for (const target of targets) {
      if (ENTRY_POINTS.includes(target)) {
        broken.push(`${file} -> ${target} (an entry point)`);
        continue;
      }
      if (dirname(target) === dirname(file)) continue;
      const to = stageOf(target);
      if (!to) broken.push(`${file} -> ${target} (outside every stage)`);
      else if (to.rank > from.rank) broken.push(`${file} -> ${target} (a higher stage)`);
      else if (to.rank === from.rank && to.prefix !== from.prefix) broken.push(`${file} -> ${target} (a sibling stage)`);
    }
  }
  return broken;
}

/** Every import cycle found by a depth-first walk, as 'a -> b -> a'. */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  return cycles;
}

const srcFiles = sourceFiles('src');
const webviewFiles = sourceFiles('webview');

describe('the layout and its import rule', () => {
  it('every file under src/ belongs to a stage or is an entry point', () => {
    const homeless = srcFiles.filter((file) => !ENTRY_POINTS.includes(file) && !stageOf(file));
    assert.deepEqual(homeless, []);
  });

  it('a file imports from its own folder or from lower stages, never from a sibling stage or an entry point', () => {
    assert.deepEqual(ruleBreaks(new Map(srcFiles.map((file) => [file, importsOf(file).relative]))), []);
  });

  it('only the edge imports vscode', () => {
    const offenders = srcFiles.filter((file) => importsOf(file).packages.includes('vscode') && !VSCODE_ALLOWED.some((allowed) => file.startsWith(allowed)));
    assert.deepEqual(offenders, []);
  });

  it('the webview imports only its own files and the protocol', () => {
    const broken: string[] = [];
    for (const file of webviewFiles) {
      for (const target of importsOf(file).relative)
        if (!target.startsWith('webview/') && target !== 'src/protocol/webview.ts') broken.push(`${file} -> ${target}`);
      for (const name of importsOf(file).packages) if (name === 'vscode' || name.startsWith('node:')) broken.push(`${file} -> ${name}`);
    }
    assert.deepEqual(broken, []);
  });

  it('the protocol files import no analysis code, only its types', () => {
    const broken: string[] = [];
    for (const file of srcFiles.filter((f) => f.startsWith('src/protocol/'))) {
      const text = readFileSync(join(REPO_ROOT, file), 'utf8');
      for (const match of text.matchAll(/^import\s+(?!type\b)[^;]*from\s+'([^']*analysis[^']*)'/gm)) broken.push(`${file} -> ${match[1]}`);
    }
    // The webview protocol re-exports two pure helpers of the result schema (headline, isClassification); nothing else at run time.
    const reexports = srcFiles.flatMap((file) =>
      [...readFileSync(join(REPO_ROOT, file), 'utf8').matchAll(/^export\s+\{([^}]*)\}\s+from\s+'([^']*analysis[^']*)'/gm)].map(
        (m) => `${file}: ${m[1]!.trim()} from ${m[2]}`,
      ),
    );
    assert.deepEqual(broken, []);
    assert.deepEqual(reexports, ['src/protocol/webview.ts: headline, isClassification from ../analysis/results']);
  });

  it('has no import cycle', () => {
    assert.deepEqual(findCycles(new Map([...srcFiles, ...webviewFiles].map((file) => [file, importsOf(file).relative]))), []);
  });

  it('the checks see a cycle, a climbing import, a sibling stage and an entry point when there is one', () => {
    const graph = new Map([
      ['src/readers/a.ts', ['src/analysis/sources/b.ts']],
      ['src/analysis/sources/b.ts', ['src/readers/a.ts']],
      ['src/host/c.ts', ['src/worker/d.ts', 'src/cli.ts']],
      ['src/analysis/threads/e.ts', ['src/analysis/tasks/fit/f.ts']],
    ]);
    assert.deepEqual(ruleBreaks(graph), [
      'src/readers/a.ts -> src/analysis/sources/b.ts (a higher stage)',
      'src/host/c.ts -> src/worker/d.ts (a sibling stage)',
      'src/host/c.ts -> src/cli.ts (an entry point)',
      'src/analysis/threads/e.ts -> src/analysis/tasks/fit/f.ts (a higher stage)',
    ]);
    assert.deepEqual(findCycles(graph), ['src/readers/a.ts -> src/analysis/sources/b.ts -> src/readers/a.ts']);
  });
});
