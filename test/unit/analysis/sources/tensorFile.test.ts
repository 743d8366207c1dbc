import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeSource } from '../../../../src/analysis/sources/analyzeSource';
import { findPartnerFile } from '../../../../src/analysis/sources/tensorFile';
import { summarizeTensorFile } from '../../../../src/analysis/sources/tensorSummary';
import { readTensorFile } from '../../../../src/readers/readTensorFile';
import { assertClose, fixturePath, readJson, REPO_ROOT, classification } from '../../../helpers/fixtures';

interface Expected {
  n: number;
  classes: number;
  kind: string;
  crossEntropy: number;
  logLikelihood: number;
  target: string;
  predictions: string[];
}
const expected = readJson<Record<string, Expected>>(fixturePath('eval', 'expected.json'));
const evalFile = (name: string) => fixturePath('eval', name);

describe('cross-entropy of tensor files against PyTorch', () => {
  for (const [name, want] of Object.entries(expected)) {
    it(`${name}: roles by name and shape, and F.cross_entropy of the stored values`, async () => {
      const analysis = classification(await analyzeSource({ kind: 'path', path: evalFile(name) }));
      assert.equal(analysis.roles.target, want.target);
      assert.deepEqual(analysis.roles.predictions, want.predictions);
      assert.equal(analysis.roles.kind, want.kind);
      assert.equal(analysis.summary.n, want.n);
      assert.equal(analysis.summary.classes, want.classes);
      assertClose(analysis.summary.crossEntropy, want.crossEntropy, 1e-12, 'cross-entropy');
      assertClose(analysis.summary.logLikelihood, want.logLikelihood, 1e-12, 'log-likelihood');
      // Rows of a tensor are named by tensor and index, not by line.
      const oneHot = analysis.derivations[0]!.steps.find((step) => step.id === 'one-hot')!;
      assert.match(oneHot.source ?? '', new RegExp(`^tensor '${want.predictions[0]!.replace('.', '\\.')}' row \\d+$`));
      assert.equal(analysis.plots.worstRows[0]!.line, undefined);
    });
  }

  it('pairs logits.npy with labels.npy beside it, and the other way round', async () => {
    assert.equal(await findPartnerFile(evalFile('logits.npy')), evalFile('labels.npy'));
    assert.equal(await findPartnerFile(evalFile('labels.npy')), evalFile('logits.npy'));
    const fromLabels = await analyzeSource({ kind: 'path', path: evalFile('labels.npy') });
    assertClose(classification(fromLabels).summary.crossEntropy, expected['logits.npy']!.crossEntropy, 1e-12, 'same pair');
    assert.match(fromLabels.roles.reason, /paired with logits\.npy/);
  });

  it('an explicit pairing wins over the names', async () => {
    const analysis = await analyzeSource({ kind: 'path', path: evalFile('logits.npy'), pairWith: evalFile('labels.npy') });
    assertClose(classification(analysis).summary.crossEntropy, expected['logits.npy']!.crossEntropy, 1e-12, 'paired');
  });

  it('says what is missing when a file holds no predictions and labels', async () => {
    await assert.rejects(analyzeSource({ kind: 'path', path: fixturePath('torch', 'state_dict.pt') }), (error: Error) => {
      assert.match(error.message, /^state_dict\.pt: no tensor of shape \[\d+\] to read as labels for '[^']+' \(tensors: /);
      return true;
    });
    await assert.rejects(analyzeSource({ kind: 'path', path: fixturePath('tensors', 'float32.npy') }), {
      message: "float32.npy: no tensor of shape [2] to read as labels for 'float32' (tensors: float32 float32[2, 3])",
    });
    await assert.rejects(analyzeSource({ kind: 'path', path: fixturePath('tensors', 'int64.npy') }, { task: 'categorical' }), {
      message: 'int64.npy: no tensor of shape [n, K] to read as predictions (tensors: int64 int64[9])',
    });
  });

  it('reads a lone [n] tensor as a fit of its values, as a one-column table is', async () => {
    const analysis = await analyzeSource({ kind: 'path', path: fixturePath('tensors', 'int64.npy') });
    assert.equal(analysis.task, 'fit');
    if (analysis.task !== 'fit') return;
    const files = readJson<{ files: { file: string; tensors: { values: number[] }[] }[] }>(fixturePath('tensors', 'expected.json')).files;
    const values = files.find((entry) => entry.file === 'int64.npy')!.tensors[0]!.values;
    assert.equal(analysis.summary.n, values.length);
    assert.equal(analysis.roles.target, 'int64');
  });

  it('summarises every tensor for the tensor view', async () => {
    const summary = summarizeTensorFile(await readTensorFile(evalFile('eval.safetensors')), 'eval.safetensors');
    assert.equal(summary.format, 'safetensors');
    assert.deepEqual(summary.metadata, { model: 'demo', split: 'validation' });
    const labels = summary.tensors.find((t) => t.name === 'labels')!;
    assert.deepEqual(labels.shape, [300]);
    assert.equal(labels.dtype, 'int64');
    assert.equal(labels.min, 0);
    assert.equal(labels.max, 4);
    assert.equal(labels.nanCount, 0);
    assert.equal(labels.preview.length, 12);
  });
});

describe('CLI on tensor files', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'cli.js'), ...args], { encoding: 'utf8', timeout: 30_000 });

  it('--json names the format and matches PyTorch; --labels pairs two files', () => {
    const run = cli(evalFile('eval.pt'), '--json');
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.format, 'pt');
    assertClose(report.crossEntropy, expected['eval.pt']!.crossEntropy, 1e-12, 'eval.pt');
    const paired = cli(evalFile('logits.npy'), '--labels', evalFile('labels.npy'), '--json');
    assert.equal(paired.status, 0, paired.stderr);
    assertClose(JSON.parse(paired.stdout).crossEntropy, expected['logits.npy']!.crossEntropy, 1e-12, 'paired');
  });

  it('refuses a pickle that would run a command, naming the global, with one line', () => {
    const run = cli(fixturePath('torch', 'malicious', 'global_os_system.pt'));
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^likelihood-lens: global_os_system\.pt: .*refusing to load global 'os\.system'.*\n$/);
  });

  it('explains how to re-save a legacy torch.save file', () => {
    const run = cli(fixturePath('torch', 'legacy.pt'));
    assert.equal(run.status, 1);
    assert.match(run.stderr, /legacy torch\.save format; re-save with torch\.save\(obj, path\) from PyTorch >= 1\.6/);
  });
});

describe("readers' warnings reach the analysis", () => {
  it('a tensor file and a table keep what their reader noticed', async () => {
    const { analyzeTensors } = await import('../../../../src/analysis/sources/tensors');
    const { analyzeTable } = await import('../../../../src/analysis/sources/table');
    const file = await readTensorFile(evalFile('eval.npz'));
    const note = "tensor 'targets': int64 values of magnitude 2^53 or more may be rounded";
    const fromTensors = await analyzeTensors({ ...file, warnings: [note] }, 'eval.npz');
    assert.equal(fromTensors.warnings[0], note);
    const table = {
      format: 'parquet',
      rowCount: 2,
      columns: [
        { name: 'label', values: Float64Array.from([0, 1]) },
        { name: 'p0', values: Float64Array.from([0.9, 0.2]) },
        { name: 'p1', values: Float64Array.from([0.1, 0.8]) },
      ],
      warnings: ['3 int64 value(s) are beyond 2^53 and were rounded'],
    };
    const fromTable = await analyzeTable(table, 'eval.parquet');
    assert.deepEqual(fromTable.warnings, ['3 int64 value(s) are beyond 2^53 and were rounded']);
    assert.ok(Math.abs(classification(fromTable).summary.crossEntropy - (-Math.log(0.9) - Math.log(0.8)) / 2) < 1e-15);
  });
});
