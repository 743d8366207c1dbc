import * as assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { PanelSnapshot } from '../../src/panel/lossPanel';
import { api, panelFor, until, untilRendered, workspaceFile } from './host';
import { classification } from '../helpers/fixtures';

const REPO = join(__dirname, '..', '..', '..');
const evalExpected = JSON.parse(readFileSync(join(REPO, 'test', 'fixtures', 'eval', 'expected.json'), 'utf8')) as Record<string, { crossEntropy: number }>;

suite('Working while editing', () => {
  teardown(async () => {
    // Leave the workspace copies as they were: put each edited buffer back to the text on disk
    // (then saving it changes nothing), so the next test starts from the same file.
    for (const document of vscode.workspace.textDocuments.filter((doc) => doc.isDirty)) {
      const editor = await vscode.window.showTextDocument(document);
      const onDisk = readFileSync(document.uri.fsPath, 'utf8');
      await editor.edit((edit) => edit.replace(new vscode.Range(0, 0, document.lineCount, 0), onDisk));
      await document.save();
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('typing into a CSV recomputes the panel from the unsaved buffer', async () => {
    const lens = await api();
    const uri = workspaceFile('small.csv');
    const editor = await vscode.window.showTextDocument(uri);
    const before = await vscode.commands.executeCommand<PanelSnapshot>('likelihoodLens.openLossPanel', uri);
    // label,p0,p1 / 0,0.9,0.1 / 1,0.2,0.8: CE = (-log 0.9 - log 0.8) / 2
    assert.ok(Math.abs(classification(before!.analysis!).summary.crossEntropy - (-Math.log(0.9) - Math.log(0.8)) / 2) < 1e-15);
    await editor.edit((edit) => edit.insert(new vscode.Position(editor.document.lineCount, 0), '1,0.5,0.5\n'));
    assert.ok(editor.document.isDirty, 'the edit is unsaved');
    const after = await until('the panel to follow the edit', () => {
      const snapshot = panelFor(lens, uri);
      return snapshot?.analysis?.summary.n === 3 ? snapshot : undefined;
    });
    assert.equal(after.from, 'editor');
    assert.ok(Math.abs(classification(after.analysis!).summary.crossEntropy - (-Math.log(0.9) - Math.log(0.8) - Math.log(0.5)) / 3) < 1e-15);
    await untilRendered(
      'the webview to render the new number',
      () => panelFor(lens, uri)?.rendered?.headline === classification(after.analysis!).summary.crossEntropy,
      () => vscode.commands.executeCommand('likelihoodLens.openLossPanel', uri),
    );
  });

  test('Problems lists bad cells at their line and column as the user types, and clears them when fixed', async () => {
    const uri = workspaceFile('small.csv');
    const editor = await vscode.window.showTextDocument(uri);
    // The new rows land on the last (empty) line and the one after it.
    const first = editor.document.lineCount - 1;
    await editor.edit((edit) => edit.insert(new vscode.Position(editor.document.lineCount, 0), '3,0.5,0.5\n1,1.7,0.1\n'));
    const diagnostics = await until('diagnostics', () => {
      const found = vscode.languages.getDiagnostics(uri);
      return found.length >= 2 ? found : undefined;
    });
    const described = diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.message}`).sort();
    assert.deepEqual(described, [`${first}:0 label 3 is not a class index in 0..1`, `${first + 1}:2 probability 1.7 is outside [0, 1]`]);
    assert.ok(diagnostics.every((d) => d.source === 'Likelihood Lens'));
    // Fix both lines: the problems go away.
    await editor.edit((edit) => edit.replace(new vscode.Range(first, 0, first + 2, 0), '1,0.5,0.5\n1,0.7,0.3\n'));
    await until('diagnostics to clear', () => vscode.languages.getDiagnostics(uri).length === 0);
  });

  test('the status bar shows the active data file\u2019s cross-entropy and n', async () => {
    const lens = await api();
    await vscode.window.showTextDocument(workspaceFile('classifier.csv'));
    const text = await until('the status bar', () => lens.statusBarText()?.match(/CE \d\.\d+ nats · n 200/)?.[0]);
    assert.match(text, /^CE 0\.67792 nats · n 200$/);
    await vscode.window.showTextDocument(vscode.Uri.file(join(REPO, 'package.json')));
    await until('the status bar to hide for other files', () => lens.statusBarText() === undefined);
  });

  test('a tensor file opens in the tensor view, which follows the file on disk', async () => {
    const lens = await api();
    const target = workspaceFile('dump.safetensors');
    copyFileSync(join(REPO, 'test', 'fixtures', 'eval', 'eval.safetensors'), target.fsPath);
    await vscode.commands.executeCommand('vscode.open', target);
    const shown = await until('the tensor view', () => lens.tensorViews()[target.toString()]);
    assert.equal(shown, 'logits float16[300, 5]; labels int64[300]');
    // Saving another file over it updates the view.
    copyFileSync(join(REPO, 'test', 'fixtures', 'tensors', 'model.safetensors'), target.fsPath);
    const updated = await until('the view to update', () => {
      const now = lens.tensorViews()[target.toString()];
      return now !== shown ? now : undefined;
    });
    assert.notEqual(updated, shown);
  });

  test('the loss panel opens on a tensor file from its view', async () => {
    const target = workspaceFile('eval.pt');
    copyFileSync(join(REPO, 'test', 'fixtures', 'eval', 'eval.pt'), target.fsPath);
    const snapshot = await vscode.commands.executeCommand<PanelSnapshot>('likelihoodLens.openLossPanel', target);
    assert.equal(snapshot?.analysis?.file.format, 'pt');
    assert.ok(Math.abs(classification(snapshot!.analysis!).summary.crossEntropy - evalExpected['eval.pt']!.crossEntropy) < 1e-12);
  });
});
