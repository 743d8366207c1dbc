// The CLI's JSON with results that are not finite: the strings "Infinity", "-Infinity" and "NaN"
// where JSON.stringify would write null, and a warning naming each key, against PyTorch's inf
// for a true class given probability 0 (test/fixtures/cli/nonfinite.json, gen_nonfinite.py).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { nonFiniteReplacer, nonFiniteWarning, reportJson } from '../../../src/cli/jsonOutput';
import { fixturePath, readJson, REPO_ROOT } from '../../helpers/fixtures';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');
const expected = readJson<{ single: Record<string, number | string>; compare: Record<string, number | string> }>(fixturePath('cli', 'nonfinite.json'));

function json(...args: string[]): Record<string, unknown> & { warnings: string[] } {
  const result = spawnSync(process.execPath, [CLI, ...args, '--json'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(result.status, 0, result.stderr);
  // JSON.parse refuses bare Infinity and NaN: the output must be valid JSON.
  return JSON.parse(result.stdout);
}

/** Paths of every string "Infinity", "-Infinity" or "NaN" in a parsed report, spelled as the warning spells them. */
function spelledPaths(value: unknown, path = ''): string[] {
  if (value === 'Infinity' || value === '-Infinity' || value === 'NaN') return [path];
  if (Array.isArray(value)) return value.flatMap((item, i) => spelledPaths(item, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([key, item]) => (key === 'warnings' ? [] : spelledPaths(item, path === '' ? key : `${path}.${key}`)));
  return [];
}

describe('the CLI writes non-finite results as strings', () => {
  it("a true class of probability 0: PyTorch's inf and -inf as strings, each key named in a warning", () => {
    const report = json(fixturePath('cli', 'zero_prob_a.csv'));
    for (const [key, value] of Object.entries(expected.single)) assert.equal(report[key], value, key);
    assert.equal(report.torchCrossEntropy, 'Infinity');
    const spelled = spelledPaths(report);
    assert.ok(spelled.includes('crossEntropy') && spelled.includes('identities[0].lhs'), spelled.join(', '));
    const warning = report.warnings.find((w) => w.includes('JSON has no such numbers'));
    assert.equal(warning, nonFiniteWarning(spelled));
    // The reader's own warning is kept, before it.
    assert.match(report.warnings[0]!, /probability 0, so the loss is infinite \(line 3\)/);
  });

  it('--compare: the infinite difference and log-likelihood ratio as strings, with the warning', () => {
    const report = json(fixturePath('cli', 'zero_prob_a.csv'), '--compare', fixturePath('cli', 'zero_prob_b.csv'));
    for (const [key, value] of Object.entries(expected.compare)) {
      if (typeof value === 'number') assert.ok(Math.abs((report[key] as number) - value) <= 1e-12 * Math.abs(value), `${key}: ${String(report[key])}`);
      else assert.equal(report[key], value, key);
    }
    const spelled = spelledPaths(report);
    assert.ok(spelled.includes('largestDifferences.aWorse[0].lossA'), spelled.join(', '));
    assert.equal(
      report.warnings.find((w) => w.includes('JSON has no such numbers')),
      nonFiniteWarning(spelled),
    );
  });

  it('a finite report keeps its numbers and gains no warning', () => {
    const report = json(fixturePath('classifier', 'logits.csv'));
    assert.deepEqual(spelledPaths(report), []);
    assert.ok(!report.warnings.some((w) => w.includes('JSON has no such numbers')));
    assert.equal(typeof report.crossEntropy, 'number');
  });

  it('the replacer names nested keys and array elements; the report gains one warning only when needed', () => {
    const written: string[] = [];
    const text = JSON.stringify({ a: 1, b: { c: [0, -Infinity, { d: Number.NaN }] }, e: Infinity, f: null }, nonFiniteReplacer(written));
    assert.equal(text, '{"a":1,"b":{"c":[0,"-Infinity",{"d":"NaN"}]},"e":"Infinity","f":null}');
    assert.deepEqual(written, ['b.c[1]', 'b.c[2].d', 'e']);
    const report = JSON.parse(reportJson({ x: 1 / 0, warnings: ['kept'] }));
    assert.deepEqual(report, { x: 'Infinity', warnings: ['kept', nonFiniteWarning(['x'])] });
    assert.equal(reportJson({ x: 2, warnings: [] }), JSON.stringify({ x: 2, warnings: [] }, null, 2));
  });

  it('the warning names at most 40 keys, then how many more', () => {
    const keys = Array.from({ length: 45 }, (_, i) => `crossEntropy[${i}]`);
    const warning = nonFiniteWarning(keys);
    assert.ok(warning.includes('crossEntropy[39] and 5 more'), warning);
    assert.ok(!warning.includes('crossEntropy[40]'), warning);
  });
});
