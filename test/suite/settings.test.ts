import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, panelFor, setSetting, until, workspaceFile } from './host';

/** classifier.csv's cross-entropy as the status bar shows it in nats. */
const CLASSIFIER_NATS = 0.67792;

suite('Settings', () => {
  teardown(async () => {
    await setSetting('autoOpen', undefined);
    await setSetting('logBase', undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('logBase 2 shows the status bar cross-entropy in bits, and follows a change at once', async () => {
    const lens = await api();
    await setSetting('logBase', '2');
    await vscode.window.showTextDocument(workspaceFile('classifier.csv'));
    const bits = await until('the status bar in bits', () => lens.statusBarText()?.match(/^\$\(graph-line\) CE (\d\.\d+) bits · n 200$/)?.[1]);
    assert.ok(Math.abs(Number(bits) - CLASSIFIER_NATS / Math.LN2) < 1e-4, bits);
    await setSetting('logBase', '10');
    const digits = await until('the status bar in decimal digits', () => lens.statusBarText()?.match(/CE (\d\.\d+) digits/)?.[1]);
    assert.ok(Math.abs(Number(digits) - CLASSIFIER_NATS / Math.LN10) < 1e-4, digits);
  });

  test('autoOpen opens the loss panel beside a data file opened in an editor, leaves it the focus, and only once', async () => {
    const lens = await api();
    await setSetting('autoOpen', true);
    const file = workspaceFile('small.csv');
    await vscode.window.showTextDocument(file);
    const snapshot = await until('the panel to open by itself', () => panelFor(lens, file));
    assert.equal(snapshot.fileUri, file.toString());
    const active = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(active instanceof vscode.TabInputText && active.uri.toString() === file.toString(), 'the editor keeps the focus');
    // Closed by the user, the panel stays closed when the file is opened again in this session.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await until('the panel to close', () => panelFor(lens, file) === undefined);
    await vscode.window.showTextDocument(file);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(panelFor(lens, file), undefined);
  });
});
