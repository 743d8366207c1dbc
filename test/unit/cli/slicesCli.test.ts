import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixturePath, readJson, REPO_ROOT } from '../../helpers/fixtures';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');
interface Slice {
  value: string;
  rows: number;
  crossEntropy: number;
  crossEntropyStdError: number;
  accuracy: number;
  accuracyStdError: number;
}
const expected = readJson<{ bySlice: { column: string; slices: Slice[] }[] }>(fixturePath('slices', 'expected.json'));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function assertRelative(actual: number, want: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - want) <= tolerance * Math.abs(want), `${what}: ${actual} against ${want}`);
}

describe('the CLI per-slice table', () => {
  it('--json --log-base 2 gives each slice in bits, accuracy as is', () => {
    const { code, stdout, stderr } = run(fixturePath('slices', 'sliced.csv'), '--json', '--log-base', '2');
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as { bySlice: { method: string; columns: { column: string; slices: Slice[] }[] } };
    assert.deepEqual(
      report.bySlice.columns.map((table) => table.column),
      ['split', 'language', 'source'],
    );
    report.bySlice.columns.forEach((table, c) =>
      table.slices.forEach((slice, s) => {
        const want = expected.bySlice[c]!.slices[s]!;
        assert.equal(slice.value, want.value);
        assert.equal(slice.rows, want.rows);
        assertRelative(slice.crossEntropy, want.crossEntropy / Math.LN2, 1e-12, `${slice.value} bits`);
        assertRelative(slice.crossEntropyStdError, want.crossEntropyStdError / Math.LN2, 1e-9, `${slice.value} se bits`);
        assertRelative(slice.accuracy, want.accuracy, 1e-12, `${slice.value} accuracy`);
      }),
    );
  });

  it('the text report prints a table per slice column', () => {
    const { code, stdout, stderr } = run(fixturePath('slices', 'sliced.csv'));
    assert.equal(code, 0, stderr);
    assert.match(stdout, /by slice: /);
    const ja = expected.bySlice[1]!.slices.find((slice) => slice.value === 'ja')!;
    assert.match(stdout, new RegExp(`\\n {4}ja +${ja.rows} +${ja.crossEntropy.toPrecision(6).slice(0, 6)}`));
  });
});
