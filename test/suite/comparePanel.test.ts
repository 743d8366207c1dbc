import * as assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ComparisonSnapshot } from '../../src/panel/comparePanel';
import { api, until, workspaceFile } from './host';

// out/test/suite -> repository root
const REPO = join(__dirname, '..', '..', '..');
const fixturePath = (name: string) => join(REPO, 'test', 'fixtures', 'compare', name);
const fixture = (name: string) => vscode.Uri.file(fixturePath(name));
/** NumPy's and SciPy's figures for the fixtures (gen_compare.py). */
const expected = JSON.parse(readFileSync(fixturePath('expected.json'), 'utf8'));

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

function assertFigures(snapshot: ComparisonSnapshot | undefined): void {
  assert.ok(snapshot?.comparison, snapshot?.error);
  const c = snapshot.comparison;
  const want = expected.csv;
  assert.equal(c.n, want.n);
  for (const key of ['crossEntropyA', 'crossEntropyB', 'crossEntropyDifference', 'logLikelihoodRatio', 'differenceStdError'] as const)
    assert.ok(close(c[key], want[key]), `${key}: ${c[key]} vs ${want[key]}`);
  assert.ok(close(c.bootstrapInterval95.lower, want.bootstrapInterval95.lower) && close(c.bootstrapInterval95.upper, want.bootstrapInterval95.upper));
  assert.deepEqual([c.winsA, c.winsB, c.ties], [want.winsA, want.winsB, want.ties]);
  assert.ok(close(c.mcnemarPValue!, want.correctness.mcnemar.pValue));
  assert.deepEqual(
    c.largestDifferences.aWorse.map((row) => row.row),
    want.aWorseRows,
  );
  assert.equal(snapshot.checks.length, 4);
  assert.ok(
    snapshot.checks.every((check) => check.holds),
    JSON.stringify(snapshot.checks),
  );
}

suite('Comparison panel in the extension host', () => {
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test("Compare With... on two files computes in the worker, and the webview renders NumPy's difference", async () => {
    const lens = await api();
    const snapshot = await vscode.commands.executeCommand<ComparisonSnapshot>('likelihoodLens.compareWith', fixture('a.csv'), fixture('b.csv'));
    assertFigures(snapshot);
    const renderedNow = () =>
      lens.comparisons().find((p) => p.fileUriA === fixture('a.csv').toString() && p.fileUriB === fixture('b.csv').toString())?.rendered;
    const rendered = await until('the comparison webview to render', renderedNow, 15_000).catch(async () => {
      // A headless page sometimes waits to be laid out: running the command again reveals the panel.
      await vscode.commands.executeCommand('likelihoodLens.compareWith', fixture('a.csv'), fixture('b.csv'));
      return until('the comparison webview to render after a reveal', renderedNow, 45_000);
    });
    assert.equal(rendered.difference, snapshot!.comparison!.crossEntropyDifference);
    assert.equal(rendered.steps, 5);
  });

  test('Compare Loss on two files selected in the explorer refuses a changed label in one line', async () => {
    const a = fixture('a.csv');
    const changed = fixture('b_label_changed.csv');
    const snapshot = await vscode.commands.executeCommand<ComparisonSnapshot>('likelihoodLens.compareSelected', changed, [a, changed]);
    assert.equal(snapshot?.comparison, undefined);
    assert.match(snapshot!.error!, new RegExp(`^b_label_changed\\.csv: row ${expected.labelChangedRow}: label \\d differs from a\\.csv's \\d`));
    assert.ok(!snapshot!.error!.includes('\n'));
  });

  test('follows the files: a row removed from B is refused in place, and putting it back brings the numbers back', async () => {
    const lens = await api();
    // In the workspace, where file watchers report changes on disk.
    const a = workspaceFile('compare_a.csv');
    const b = workspaceFile('compare_b.csv');
    copyFileSync(fixturePath('a.csv'), a.fsPath);
    copyFileSync(fixturePath('b.csv'), b.fsPath);
    try {
      const first = await vscode.commands.executeCommand<ComparisonSnapshot>('likelihoodLens.compareWith', a, b);
      assertFigures(first);
      const current = () => lens.comparisons().find((p) => p.fileUriA === a.toString() && p.fileUriB === b.toString());
      copyFileSync(fixturePath('b_short.csv'), b.fsPath);
      // A read caught halfway through the copy is refused too: wait for the whole shorter file.
      const refused = await until(
        'the comparison to see the shorter file',
        () => (current()?.error?.includes(`${expected.csv.n - 3} rows`) ? current() : undefined),
        30_000,
      );
      assert.equal(
        refused.error,
        `compare_b.csv: ${expected.csv.n - 3} rows, compare_a.csv has ${expected.csv.n}: a comparison needs the same rows in both files`,
      );
      copyFileSync(fixturePath('b.csv'), b.fsPath);
      const back = await until('the comparison to come back', () => (current()?.comparison ? current() : undefined), 30_000);
      assert.ok(back.version > refused.version);
      assertFigures(back);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      rmSync(a.fsPath, { force: true });
      rmSync(b.fsPath, { force: true });
    }
  });
});
