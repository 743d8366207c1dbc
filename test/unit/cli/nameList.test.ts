import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { splitNames } from '../../../src/cli/nameList';
import { assertClose, fixturePath, readJson, REPO_ROOT } from '../../helpers/fixtures';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');
const expected = readJson<{ target: string; predictions: string[]; n: number; crossEntropy: number; logLikelihood: number }>(
  fixturePath('cli', 'comma_names.json'),
);

describe('names given on the command line', () => {
  it('splits at commas outside double quotes, as a CSV header is split', () => {
    assert.deepEqual(splitNames('a,b , c', '--pred'), ['a', 'b', 'c']);
    assert.deepEqual(splitNames('"a,b",c', '--pred'), ['a,b', 'c']);
    assert.deepEqual(splitNames('"say ""hi""", " padded ",x', '--pred'), ['say "hi"', ' padded ', 'x']);
    assert.deepEqual(splitNames('a,,b,', '--pred'), ['a', 'b']);
    assert.deepEqual(splitNames('""', '--target'), ['']);
    assert.deepEqual(splitNames('it"s', '--target'), ['it"s']);
  });

  it('refuses a quote left open or text after a closing quote, naming the flag', () => {
    assert.throws(() => splitNames('"a,b', '--pred'), { message: '--pred: the quote at character 1 is not closed' });
    assert.throws(() => splitNames('x,"a"b', '--target'), { message: '--target: a comma should follow the quoted name ending at character 5' });
  });

  it("reads the columns so named, with PyTorch's cross-entropy", () => {
    const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
    const result = spawnSync(
      process.execPath,
      [CLI, fixturePath('cli', 'comma_names.csv'), '--target', quote(expected.target), '--pred', expected.predictions.map(quote).join(','), '--json'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.target, expected.target);
    assert.deepEqual(report.predictions, expected.predictions);
    assert.equal(report.n, expected.n);
    assertClose(report.crossEntropy, expected.crossEntropy, 1e-12, 'crossEntropy');
    assertClose(report.logLikelihood, expected.logLikelihood, 1e-12, 'logLikelihood');
    const open = spawnSync(process.execPath, [CLI, fixturePath('cli', 'comma_names.csv'), '--pred', '"score,a'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(open.status, 2);
    assert.match(open.stderr, /^likelihood-lens: --pred: the quote at character 1 is not closed\nusage: /);
  });
});
