// likelihood-lens A --compare B: the JSON against NumPy and SciPy (test/fixtures/compare/expected.json,
// gen_compare.py), the text report's sign convention, and one-line refusals.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { plainNumber } from '../../../src/engine/format';
import { REPO_ROOT } from '../../helpers/fixtures';
import { assertComparisonMatches, compareExpected, compareFixture } from '../analysis/comparisonFixtures';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function compareJson(a: string, b: string, ...args: string[]) {
  const { code, stdout, stderr } = run(a, '--compare', b, '--json', ...args);
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout);
}

describe('likelihood-lens A --compare B', () => {
  it('--json: the keys as named, every figure as NumPy and SciPy compute it', () => {
    const r = compareJson(compareFixture('a.csv'), compareFixture('b.csv'));
    assert.equal(r.unit, 'nats');
    assert.match(r.signConvention, /^A minus B/);
    assert.equal(r.task, 'categorical');
    assertComparisonMatches(r, compareExpected.csv, 1e-12);
    const npy = compareJson(compareFixture('npy_a', 'logits.npy'), compareFixture('npy_b', 'logits.npy'));
    assertComparisonMatches(npy, compareExpected.npy, 1e-12);
    // Two files of one name are told apart by the paths given.
    assert.notEqual(npy.fileA, npy.fileB);
  });

  it('the text report explains each figure with its sign', () => {
    const { code, stdout, stderr } = run(compareFixture('a.csv'), '--compare', compareFixture('b.csv'));
    assert.equal(code, 0, stderr);
    const want = compareExpected.csv;
    assert.match(stdout, /every difference is A minus B, in nats/);
    assert.match(
      stdout,
      new RegExp(
        `difference CE_A - CE_B +${want.crossEntropyDifference.toPrecision(10).replace('.', '\\.')} nats \\(negative favours A; here B has the lower cross-entropy\\)`,
      ),
    );
    assert.match(stdout, /log L_A - log L_B +-17\.36163122 nats \(= -n x the difference; positive favours A\)/);
    const { lower, upper } = want.bootstrapInterval95;
    assert.ok(
      stdout.includes(
        `95% interval, bootstrap      [${plainNumber(lower, 8)}, ${plainNumber(upper, 8)}] (paired Poisson bootstrap, 1000 replicates, seed 20240601), includes 0`,
      ),
      stdout,
    );
    assert.match(
      stdout,
      new RegExp(
        `flipped +${want.correctness.mcnemar.aRightBWrong} right in A and wrong in B, ${want.correctness.mcnemar.aWrongBRight} wrong in A and right in B`,
      ),
    );
    assert.match(stdout, /McNemar p-value +0\.137099 /);
  });

  it('refuses in one line, exit 1: labels that differ (naming the row), another row count, a fit', () => {
    const changed = run(compareFixture('a.csv'), '--compare', compareFixture('b_label_changed.csv'));
    assert.equal(changed.code, 1);
    assert.match(
      changed.stderr,
      new RegExp(
        `^likelihood-lens: [^\\n]*b_label_changed\\.csv: row ${compareExpected.labelChangedRow}: label \\d differs from [^\\n]*a\\.csv's \\d: a comparison needs the same labels\\n$`,
      ),
    );
    const short = run(compareFixture('a.csv'), '--compare', compareFixture('b_short.csv'));
    assert.equal(short.code, 1);
    assert.match(short.stderr, /^likelihood-lens: [^\n]*b_short\.csv: 397 rows, [^\n]*a\.csv has 400: a comparison needs the same rows in both files\n$/);
    const fit = run(compareFixture('a.csv'), '--compare', compareFixture('b.csv'), '--task', 'fit');
    assert.equal(fit.code, 1);
    assert.match(fit.stderr, /^likelihood-lens: [^\n]*a\.csv: a fit's report has no per-row loss of a model's predictions to compare[^\n]*\n$/);
    assert.equal(changed.stdout + short.stdout + fit.stdout, '');
  });

  it('--reduction does not apply (exit 2)', () => {
    assert.equal(run(compareFixture('a.csv'), '--compare', compareFixture('b.csv'), '--reduction', 'none').code, 2);
  });

  it('--log-base 2 gives every loss figure in bits, as NumPy computes them with log2', () => {
    const bits = compareJson(compareFixture('a.csv'), compareFixture('b.csv'), '--log-base', '2');
    assert.equal(bits.unit, 'bits');
    assertComparisonMatches(bits, compareExpected.csvBits, 1e-12);
    const text = run(compareFixture('a.csv'), '--compare', compareFixture('b.csv'), '--log-base', '2').stdout;
    assert.match(text, /every difference is A minus B, in bits/);
    assert.match(text, new RegExp(`cross-entropy A +${String(compareExpected.csvBits.crossEntropyA).slice(0, 9)}\\d* bits`));
    assert.doesNotMatch(text, /nats/);
  });
});
