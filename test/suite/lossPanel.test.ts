import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { LikelihoodLensApi } from '../../src/extension';
import type { PanelSnapshot } from '../../src/panel/lossPanel';
import { repeatNpy } from '../helpers/bigFiles';
import { classification } from '../helpers/fixtures';
import { panelFor, workspaceFile } from './host';

// out/test/suite -> repository root
const REPO = join(__dirname, '..', '..', '..');
const fixture = (name: string) => vscode.Uri.file(join(REPO, 'test', 'fixtures', 'classifier', name));
const expected = JSON.parse(readFileSync(join(REPO, 'test', 'fixtures', 'classifier', 'expected.json'), 'utf8')) as Record<
  string,
  { crossEntropy: number; n: number; logLikelihood: number }
>;

async function api(): Promise<LikelihoodLensApi> {
  const extension = vscode.extensions.getExtension<LikelihoodLensApi>('likelihood-lens.likelihood-lens');
  assert.ok(extension, 'the extension is installed');
  return extension.activate();
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

suite('Loss panel in the extension host', () => {
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('opens on a CSV passed by the explorer, computes in the worker and renders in the webview', async () => {
    const lens = await api();
    const snapshot = await vscode.commands.executeCommand<PanelSnapshot>('likelihoodLens.openLossPanel', fixture('basic.csv'));
    assert.ok(snapshot?.analysis, snapshot?.error);
    assert.equal(snapshot.analysis.summary.n, expected['basic.csv']!.n);
    assert.ok(close(classification(snapshot.analysis).summary.crossEntropy, expected['basic.csv']!.crossEntropy));
    assert.ok(close(classification(snapshot.analysis).summary.logLikelihood, expected['basic.csv']!.logLikelihood));
    // The webview reports back what it rendered: the same number, all derivation steps.
    const renderedNow = () => lens.panels().find((p) => p.fileUri === fixture('basic.csv').toString())?.rendered;
    // In the headless test page a webview sometimes waits to be laid out; running the command
    // again reveals the panel, as a user clicking its tab would.
    const rendered = await until('the webview to render', renderedNow, 15_000).catch(async () => {
      await vscode.commands.executeCommand('likelihoodLens.openLossPanel', fixture('basic.csv'));
      return until('the webview to render after a reveal', renderedNow, 45_000);
    });
    assert.equal(rendered.headline, classification(snapshot.analysis).summary.crossEntropy);
    assert.equal(
      rendered.steps,
      snapshot.analysis.derivations.reduce((total, derivation) => total + derivation.steps.length, 0),
    );
  });

  test("opens a language model's .safetensors dump and shows PyTorch's perplexity", async () => {
    const lens = await api();
    const file = vscode.Uri.file(join(REPO, 'test', 'fixtures', 'lm', 'lm_bfloat16.safetensors'));
    const lm = JSON.parse(readFileSync(join(REPO, 'test', 'fixtures', 'lm', 'expected.json'), 'utf8')) as {
      cases: { file: string; crossEntropy: number; perplexity: number; tokens: number }[];
    };
    const want = lm.cases.find((c) => c.file === 'lm_bfloat16.safetensors')!;
    const snapshot = await vscode.commands.executeCommand<PanelSnapshot>('likelihoodLens.openLossPanel', file);
    assert.ok(snapshot?.analysis, snapshot?.error);
    assert.equal(snapshot.analysis.task, 'lm');
    if (snapshot.analysis.task !== 'lm') return;
    assert.equal(snapshot.analysis.summary.tokens, want.tokens);
    assert.ok(
      Math.abs(snapshot.analysis.summary.perplexity - want.perplexity) <= 1e-9 * want.perplexity,
      `perplexity ${snapshot.analysis.summary.perplexity} vs PyTorch ${want.perplexity}`,
    );
    const renderedNow = () => lens.panels().find((p) => p.fileUri === file.toString())?.rendered;
    const rendered = await until('the webview to render', renderedNow, 15_000).catch(async () => {
      await vscode.commands.executeCommand('likelihoodLens.openLossPanel', file);
      return until('the webview to render after a reveal', renderedNow, 45_000);
    });
    assert.ok(Math.abs(rendered.headline - want.crossEntropy) <= 1e-9 * want.crossEntropy, 'the panel shows the cross-entropy per token');
  });

  test("opens an lm-eval samples file and shows lm-eval's acc, recomputed as NumPy gives it, in the webview", async () => {
    const lens = await api();
    const evallog = JSON.parse(readFileSync(join(REPO, 'test', 'fixtures', 'evallog', 'expected.json'), 'utf8')) as {
      multipleChoice: { file: string; acc: number; crossEntropy: number; documents: number };
    };
    const want = evallog.multipleChoice;
    const file = vscode.Uri.file(join(REPO, 'test', 'fixtures', 'evallog', want.file));
    const snapshot = await vscode.commands.executeCommand<PanelSnapshot>('likelihoodLens.openLossPanel', file);
    assert.ok(snapshot?.analysis, snapshot?.error);
    const acc = snapshot.analysis.lmEval?.metrics.find((metric) => metric.name === 'acc');
    assert.ok(acc, 'the snapshot carries the lm-eval metrics');
    assert.ok(close(acc.value, want.acc), `acc ${acc.value} vs ${want.acc}`);
    assert.equal(snapshot.analysis.lmEval?.documents, want.documents);
    assert.equal(snapshot.analysis.lmEval?.choiceDocuments?.length, want.documents, 'every document is kept for the document view');
    const renderedNow = () => lens.panels().find((p) => p.fileUri === file.toString())?.rendered;
    const rendered = await until('the webview to render', renderedNow, 15_000).catch(async () => {
      await vscode.commands.executeCommand('likelihoodLens.openLossPanel', file);
      return until('the webview to render after a reveal', renderedNow, 45_000);
    });
    assert.ok(close(rendered.headline, want.crossEntropy), 'the panel shows the cross-entropy of the softmax of the choices');
  });

  test('closing a panel reports it closed, without touching the disposed webview', async () => {
    const lens = await api();
    const file = fixture('basic.csv');
    const snapshot = await vscode.commands.executeCommand<PanelSnapshot>('likelihoodLens.openLossPanel', file);
    assert.ok(snapshot?.analysis, snapshot?.error);
    const closed = new Promise<PanelSnapshot>((resolve) => {
      const listener = lens.onDidChangePanel((change) => {
        if (change.fileUri === file.toString() && change.analysis === undefined) {
          listener.dispose();
          resolve(change);
        }
      });
    });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const last = await Promise.race([closed, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10_000))]);
    assert.ok(last, 'the panel-closed event fired');
    assert.equal(last.visible, false);
    assert.equal(
      lens.panels().some((panel) => panel.fileUri === file.toString()),
      false,
    );
  });

  test('acts on the active editor when run from the palette, and reuses the panel for the same file', async () => {
    const lens = await api();
    await vscode.window.showTextDocument(fixture('logits.csv'));
    const first = await vscode.commands.executeCommand<PanelSnapshot>('likelihoodLens.openLossPanel');
    assert.equal(first?.fileUri, fixture('logits.csv').toString());
    assert.equal(classification(first!.analysis!).roles.kind, 'logits');
    assert.ok(close(classification(first!.analysis!).summary.crossEntropy, expected['logits.csv']!.crossEntropy));
    const count = lens.panels().length;
    await vscode.window.showTextDocument(fixture('logits.csv'));
    await vscode.commands.executeCommand('likelihoodLens.openLossPanel');
    assert.equal(lens.panels().length, count, 'no second panel for the same file');
  });

  test('a bad file gives a one-line error naming the line, and the extension keeps working', async () => {
    const lens = await api();
    const broken = await vscode.commands.executeCommand<PanelSnapshot>('likelihoodLens.openLossPanel', fixture('ragged.csv'));
    assert.equal(broken?.analysis, undefined);
    assert.equal(broken?.error, 'ragged.csv: line 3: expected 3 fields, found 2');
    const after = await vscode.commands.executeCommand<PanelSnapshot>('likelihoodLens.openLossPanel', fixture('quoted.csv'));
    assert.ok(after?.analysis && close(classification(after.analysis).summary.crossEntropy, expected['quoted.csv']!.crossEntropy));
    assert.ok(lens.panels().length >= 2);
  });

  test('only reads the data file', async () => {
    const path = fixture('tabs.tsv').fsPath;
    const before = { bytes: readFileSync(path), mtime: statSync(path).mtimeMs };
    const snapshot = await vscode.commands.executeCommand<PanelSnapshot>('likelihoodLens.openLossPanel', fixture('tabs.tsv'));
    assert.ok(snapshot?.analysis);
    assert.deepEqual(readFileSync(path), before.bytes);
    assert.equal(statSync(path).mtimeMs, before.mtime);
  });

  test("a big .npy pair is scored on the analysis worker's threads, with the cross-entropy PyTorch computes", async () => {
    // 300,000 x 5 float32 logits (6 MB) and int64 labels: over the million values at which the threads start.
    const dir = mkdtempSync(join(tmpdir(), 'likelihood-lens-big-'));
    try {
      writeFileSync(join(dir, 'logits.npy'), repeatNpy(join(REPO, 'test', 'fixtures', 'eval', 'logits.npy'), 1000));
      writeFileSync(join(dir, 'labels.npy'), repeatNpy(join(REPO, 'test', 'fixtures', 'eval', 'labels.npy'), 1000));
      const snapshot = await vscode.commands.executeCommand<PanelSnapshot>('likelihoodLens.openLossPanel', vscode.Uri.file(join(dir, 'logits.npy')));
      assert.ok(snapshot?.analysis, snapshot?.error);
      const tensors = JSON.parse(readFileSync(join(REPO, 'test', 'fixtures', 'eval', 'expected.json'), 'utf8')) as Record<string, { crossEntropy: number }>;
      assert.equal(snapshot.analysis.summary.n, 300_000);
      assert.ok(
        close(classification(snapshot.analysis).summary.crossEntropy, tensors['logits.npy']!.crossEntropy),
        `${classification(snapshot.analysis).summary.crossEntropy}`,
      );
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a cell edited to text gives the panel an error naming its line, and fixing it brings the same numbers back', async () => {
    const lens = await api();
    const uri = workspaceFile('small.csv');
    const document = await vscode.workspace.openTextDocument(uri);
    const before = await vscode.commands.executeCommand<PanelSnapshot>('likelihoodLens.openLossPanel', uri);
    assert.ok(before?.analysis, before?.error);
    // label,p0,p1 / 0,0.9,0.1 / ...: the first row's p0 is line 2, characters 2 to 5.
    const cell = new vscode.Range(1, 2, 1, 5);
    assert.equal(document.getText(cell), '0.9');
    const put = async (text: string) => {
      const edit = new vscode.WorkspaceEdit();
      edit.replace(uri, cell, text);
      assert.ok(await vscode.workspace.applyEdit(edit));
    };
    try {
      await put('abc');
      const broken = await until('the error of the edited cell', () => {
        const snapshot = panelFor(lens, uri);
        return snapshot?.error !== undefined ? snapshot : undefined;
      });
      assert.match(broken.error!, /^small\.csv: line 2\b/);
      assert.match(broken.error!, /abc/);
      await put('0.9');
      const fixed = await until('the numbers to come back', () => {
        const snapshot = panelFor(lens, uri);
        return snapshot?.error === undefined && snapshot?.analysis && snapshot.version > broken.version ? snapshot : undefined;
      });
      assert.equal(classification(fixed.analysis!).summary.crossEntropy, classification(before.analysis).summary.crossEntropy);
      assert.equal(fixed.analysis!.summary.n, before.analysis.summary.n);
    } finally {
      // Leave the workspace copy as it is on disk for the tests after this one.
      if (document.getText(cell) !== '0.9') await put('0.9');
      if (document.isDirty) await document.save();
    }
  });

  test('closing the panel forgets it', async () => {
    const lens = await api();
    await vscode.commands.executeCommand('likelihoodLens.openLossPanel', fixture('logprobs.csv'));
    assert.ok(lens.panels().some((p) => p.fileUri === fixture('logprobs.csv').toString()));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await until('the panel to be disposed', () => (lens.panels().some((p) => p.fileUri === fixture('logprobs.csv').toString()) ? undefined : true));
  });
});
