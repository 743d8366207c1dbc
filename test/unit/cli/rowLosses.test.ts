// --reduction none in the CLI's text report: every row's loss after the summary, against
// PyTorch's reduction='none' (test/fixtures/engine/expected.json, gen_engine.py).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../helpers/fixtures';
import { assertAllRelative, engineFixture, expected } from '../engine/engineFixtures';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');
const TOLERANCE = 1e-9;

/** The text report, and the per-row table after it by column. */
function rowTable(file: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, engineFixture(file), ...args, '--reduction', 'none'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.split('\n');
  const header = lines.findIndex((line) => line.startsWith('row\t'));
  assert.ok(header > 0, `no table of rows in:\n${result.stdout.slice(0, 2000)}`);
  const names = lines[header]!.split('\t');
  const rows = lines.slice(header + 1).filter((line) => line !== '');
  const columns = new Map(names.map((name, j) => [name, rows.map((line) => Number(line.split('\t')[j]))]));
  return { summary: lines.slice(0, header).join('\n'), title: lines[header - 1]!, columns };
}

describe('likelihood-lens --reduction none (text)', () => {
  it("categorical: each row's F.cross_entropy with weights, ignored rows and label smoothing, after the summary", () => {
    const all = expected.categorical.configs.all;
    const z = Array.from({ length: expected.categorical.k }, (_, j) => `z${j}`).join(',');
    const { summary, title, columns } = rowTable(
      'categorical.csv',
      '--target',
      all.options.labels,
      '--pred',
      z,
      '--weights',
      all.options.weight.join(','),
      '--label-smoothing',
      String(all.options.label_smoothing),
    );
    assert.match(summary, /^ {2}cross-entropy +[\d.]+ nats$/m);
    assert.equal(title, "per row (reduction='none'), in nats:");
    assert.deepEqual(
      columns.get('row'),
      Array.from({ length: expected.categorical.n }, (_, i) => i),
    );
    assertAllRelative(columns.get('crossEntropy')!, all.logits.none, TOLERANCE, 'crossEntropy rows');
  });

  it('soft targets: entropy and KL per row, and the cross-entropy that is their sum', () => {
    const { columns } = rowTable('soft.csv');
    assertAllRelative(columns.get('entropy')!, expected.soft.entropyRows, TOLERANCE, 'entropy rows');
    assertAllRelative(columns.get('kl')!, expected.soft.klRows, TOLERANCE, 'kl rows');
    assertAllRelative(
      columns.get('crossEntropy')!,
      expected.soft.entropyRows.map((h: number, i: number) => h + expected.soft.klRows[i]),
      1e-12,
      'H(p, q) = H(p) + KL per row',
    );
  });

  it("regression: the Gaussian NLL per row and F.gaussian_nll_loss's value per output, in bits", () => {
    const reg = expected.regression;
    const { title, columns } = rowTable('regression.csv', '--sigma', String(reg.sigma), '--var', 'var0,var1,var2', '--full', '--log-base', '2');
    assert.equal(title, "per row (reduction='none'), in bits:");
    assertAllRelative(
      columns.get('gaussianNll')!,
      reg.gaussianNllRows.map((nats: number) => nats / Math.LN2),
      TOLERANCE,
      'gaussianNll rows',
    );
    for (let j = 0; j < reg.k; j++) {
      const column = reg.gaussianNllLossNoneFull.filter((_: number, index: number) => index % reg.k === j).map((nats: number) => nats / Math.LN2);
      assertAllRelative(columns.get(`gaussianNllLoss[${j}]`)!, column, TOLERANCE, `gaussianNllLoss[${j}] rows`);
    }
  });
});
