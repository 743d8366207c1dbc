// Prediction rows without labels: detected as the entropy task, checked against scipy.stats.entropy.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { analyzeSource } from '../../../../src/analysis/sources/analyzeSource';
import type { EntropyAnalysis } from '../../../../src/analysis/results';
import { isAnalysis } from '../../../../src/protocol/webview';
import { npyFile } from '../../../helpers/bigFiles';
import { REPO_ROOT } from '../../../helpers/fixtures';
import { assertRelative, expected, readNumericCsv } from '../../engine/engineFixtures';

const folder = mkdtempSync(join(tmpdir(), 'likelihood-lens-entropy-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const want = expected.predictionEntropy as { rows: number[]; mean: number };
const columns = readNumericCsv('categorical.csv');

/** A CSV of some of categorical.csv's columns, written with the exact digits pandas wrote. */
function csvOf(name: string, names: readonly string[]): string {
  const rows = columns.get(names[0]!)!.length;
  const lines = [names.join(',')];
  for (let i = 0; i < rows; i++) lines.push(names.map((column) => String(columns.get(column)![i])).join(','));
  const path = join(folder, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function npyOf(name: string, values: Float64Array, shape: readonly number[]): string {
  const path = join(folder, name);
  writeFileSync(path, npyFile('<f8', shape, values));
  return path;
}

async function entropyOf(path: string): Promise<EntropyAnalysis> {
  const analysis = await analyzeSource({ kind: 'path', path });
  assert.equal(analysis.task, 'entropy', analysis.task);
  return analysis as EntropyAnalysis;
}

describe('entropy of prediction rows when a file has no labels', () => {
  const probs = ['p0', 'p1', 'p2', 'p3', 'p4'];
  const logits = ['z0', 'z1', 'z2', 'z3', 'z4'];

  it('probabilities alone: the mean of scipy.stats.entropy over the rows, the bound log K, the worst row', async () => {
    const analysis = await entropyOf(csvOf('probs.csv', probs));
    assert.equal(analysis.roles.kind, 'probs');
    assert.deepEqual(analysis.roles.predictions, probs);
    assert.equal(analysis.summary.n, want.rows.length);
    assertRelative(analysis.summary.entropy, want.mean, 1e-12, 'mean entropy');
    assertRelative(analysis.summary.maxEntropy, Math.log(5), 1e-15, 'log K');
    assertRelative(analysis.summary.perplexity, Math.exp(want.mean), 1e-12, 'perplexity');
    const worst = analysis.plots.worstRows[0]!;
    assertRelative(worst.loss, Math.max(...want.rows), 1e-12, 'most uncertain row');
    assert.equal(worst.line, want.rows.indexOf(Math.max(...want.rows)) + 2, 'its line in the file');
    const bound = analysis.derivations[0]!.steps.find((step) => step.id === 'bound')!;
    assert.equal(bound.check?.holds, true);
    assert.ok(isAnalysis(JSON.parse(JSON.stringify(analysis))), 'the panel accepts it');
  });

  it('logits named z0..z4: the same entropies through log-softmax', async () => {
    const analysis = await entropyOf(csvOf('logits.csv', logits));
    assert.equal(analysis.roles.kind, 'logits');
    assertRelative(analysis.summary.entropy, want.mean, 1e-9, 'mean entropy from logits');
  });

  it('a lone [n, K] tensor of probabilities is the same entropy task as the CSV', async () => {
    const n = columns.get('p0')!.length;
    const values = new Float64Array(n * probs.length);
    probs.forEach((name, j) => columns.get(name)!.forEach((v, i) => (values[i * probs.length + j] = v)));
    const analysis = await entropyOf(npyOf('probs.npy', values, [n, probs.length]));
    assert.equal(analysis.roles.kind, 'probs');
    assertRelative(analysis.summary.entropy, want.mean, 1e-12, 'mean entropy of the tensor');
  });

  it('a label column makes it a classifier again', async () => {
    const analysis = await analyzeSource({ kind: 'path', path: csvOf('labelled.csv', ['label', ...probs]) });
    assert.equal(analysis.task, 'categorical');
  });

  it('the CLI reports it in nats, bits and per row', () => {
    const path = csvOf('cli.csv', probs);
    const run = (...args: string[]) => {
      const result = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'cli.js'), path, '--json', ...args], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(result.status, 0, result.stderr);
      return JSON.parse(result.stdout);
    };
    const nats = run();
    assert.equal(nats.task, 'entropy');
    assertRelative(nats.entropy, want.mean, 1e-12, 'nats');
    assertRelative(run('--log-base', '2').entropy, want.mean / Math.LN2, 1e-12, 'bits');
    const rows = run('--reduction', 'none').entropy as number[];
    rows.forEach((value, i) => assertRelative(value, want.rows[i]!, 1e-12, `row ${i}`));
  });
});
