// Values in a file never size an allocation or a loop unchecked: dates, phone numbers, ids and
// counts up to 2^53 get a fit; values no fit can hold get one line naming the file and the line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IN_MEMORY_BATCH_ROWS } from '../../../../../src/analysis/sizes';
import { fitCategorical } from '../../../../../src/engine/fits/categoricalFit';
import { fixturePath, readJson, REPO_ROOT } from '../../../../helpers/fixtures';
import { assertAllRelative, assertRelative } from '../../../engine/engineFixtures';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');
const expected = readJson<any>(fixturePath('bounds', 'expected.json'));
let folder = '';

/**
 * Runs the CLI on `text` written to `name` in a heap of 256 MB; the timeout only guards against
 * a hang (a value that sizes a loop), it does not time the run.
 */
function run(name: string, text: string, ...args: string[]) {
  const path = join(folder, name);
  writeFileSync(path, text);
  const result = spawnSync(process.execPath, ['--max-old-space-size=256', CLI, path, ...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 2 ** 20 });
  assert.equal(result.signal, null, `${name}: the CLI was stopped by ${result.signal} (out of memory or hung): ${result.stderr.slice(0, 300)}`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('large values in a column get a fit or one line, in bounded memory', () => {
  before(() => (folder = mkdtempSync(join(tmpdir(), 'likelihood-lens-bounds-'))));
  after(() => rmSync(folder, { recursive: true, force: true }));

  for (const [name, want] of Object.entries<any>(expected.fits)) {
    it(`${name}: ${want.text.trim().split('\n').slice(1, 3).join(', ')}${want.args.length ? ` ${want.args.join(' ')}` : ''} is a ${want.dist} fit`, () => {
      const { code, stdout, stderr } = run(`${name}.csv`, want.text, ...want.args, '--json');
      assert.equal(code, 0, stderr);
      const report = JSON.parse(stdout);
      assert.equal(report.dist, want.dist, report.distReason);
      assert.equal(report.target, want.column);
      if (want.dist === 'categorical') {
        assert.equal(report.probabilities.length, want.classes);
        const nonzero = Object.fromEntries(report.probabilities.flatMap((p: number, c: number) => (p === 0 ? [] : [[String(c), p]])));
        assert.deepEqual(Object.keys(nonzero), Object.keys(want.nonzero));
        for (const [c, p] of Object.entries<number>(want.nonzero)) assertRelative(nonzero[c], p, 1e-15, `pi_${c}`);
      }
      for (const [parameter, value] of Object.entries<number>(want.estimates ?? {})) assertRelative(report[parameter], value, 1e-15, parameter);
      assertRelative(report.logLikelihood, want.logLikelihood, 1e-12, 'log-likelihood');
      assert.deepEqual(report.warnings, []);
    });
  }

  it("each row's Poisson NLL keeps its digits at counts near 2^52 (reduction='none')", () => {
    const want = expected.fits.nearTwoTo52;
    const { code, stdout, stderr } = run('rows.csv', want.text, '--reduction', 'none', '--json');
    assert.equal(code, 0, stderr);
    assertAllRelative(JSON.parse(stdout).crossEntropy, want.rowNll, 1e-12, 'row NLL');
  });

  it('reads a few large integers as counts and says why; integers beyond 2^53 as real values', () => {
    const date = JSON.parse(run('date.csv', expected.fits.date.text, '--json').stdout);
    assert.equal(date.distReason, 'non-negative integers up to 20150322, too large to be class indices (at most 99): read as counts');
    const beyond = JSON.parse(run('beyond.csv', expected.fits.beyondTwoTo53.text, '--json').stdout);
    assert.equal(beyond.distReason, 'integers up to 9007199254740992, beyond 2^53 where float64 stops holding every integer: read as real values');
  });

  const refused: [string, string, string[], string][] = [
    ['huge.csv', 'x\n1e300\n', [], 'line 2: 1e+300 is too large for a Gaussian fit: sums of squared deviations would overflow float64 (|x| above 1e+144)'],
    [
      'huge-negative.csv',
      'x\n5\n-1e300\n',
      [],
      'line 3: -1e+300 is too large for a Gaussian fit: sums of squared deviations would overflow float64 (|x| above 1e+144)',
    ],
    ['class.csv', 'x\n1000000000\n', ['--dist', 'categorical'], 'line 2: 1000000000 is beyond the largest class index a categorical fit holds (262143)'],
    [
      'one-class-too-many.csv',
      `x\n0\n${expected.maxCategoricalClasses}\n`,
      ['--dist', 'categorical'],
      'line 3: 262144 is beyond the largest class index a categorical fit holds (262143)',
    ],
    ['count.csv', 'x\n1e300\n', ['--dist', 'poisson'], 'line 2: 1e+300 is not an exact count: float64 holds every integer only up to 2^53 (Poisson)'],
    [
      'two-to-53.csv',
      'x\n3\n9007199254740992\n',
      ['--dist', 'poisson'],
      'line 3: 9007199254740992 is not an exact count: float64 holds every integer only up to 2^53 (Poisson)',
    ],
    [
      'waiting.csv',
      'x\n1e308\n1e308\n',
      ['--dist', 'exponential'],
      'line 2: 1e+308 is too large for an exponential fit: the sum of the values would overflow float64 (x above 1e+290)',
    ],
    ['labels.csv', 'label,p0,p1\n1,0.5,0.5\n1000000000,0.5,0.5\n', [], 'line 3: label 1000000000 is not a class index in 0..1'],
  ];
  for (const [name, text, args, place] of refused) {
    it(`refuses ${name.replace('.csv', '')} ${args.join(' ')}: ${place}`, () => {
      const { code, stdout, stderr } = run(name, text, ...args);
      assert.equal(code, 1, stdout);
      assert.equal(stdout, '');
      assert.equal(stderr, `likelihood-lens: ${name}: ${place}\n`);
    });
  }

  it('a class index of 1e9 after the rows that chose a categorical fit is refused at its line', () => {
    // The family is chosen from the first batch of rows (class indices 0..2); the large value comes after it.
    const rows = 2 * IN_MEMORY_BATCH_ROWS;
    const text = `label\n${Array.from({ length: rows }, (_, i) => i % 3).join('\n')}\n1000000000\n`;
    const { code, stderr } = run('late.csv', text);
    assert.equal(code, 1);
    assert.equal(stderr, `likelihood-lens: late.csv: line ${rows + 2}: 1000000000 is beyond the largest class index a categorical fit holds (262143)\n`);
  });

  it("the categorical curve's closed form gives the profile summed class by class, as SciPy sums it", () => {
    const want = expected.categoricalProfile;
    const curve = fitCategorical(want.values).curves[0]!;
    assert.equal(curve.parameter, want.parameter);
    // The curve is the grid with the MLE put in at maxIndex.
    const x = curve.x.filter((_, i) => i !== curve.maxIndex);
    const logLikelihood = curve.logLikelihood.filter((_, i) => i !== curve.maxIndex);
    assert.deepEqual(x, want.x);
    assertAllRelative(logLikelihood, want.logLikelihood, 1e-12, 'log L(t)');
  });
});
