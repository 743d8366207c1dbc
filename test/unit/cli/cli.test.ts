import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { assertClose, fixturePath, readJson, REPO_ROOT } from '../../helpers/fixtures';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');
const expected = readJson<Record<string, { crossEntropy: number; logLikelihood: number; log10Likelihood: number; n: number }>>(
  fixturePath('classifier', 'expected.json'),
);

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('likelihood-lens CLI (dist/cli.js)', () => {
  it('--json prints the report with the numbers PyTorch gives', () => {
    const { code, stdout, stderr } = run(fixturePath('classifier', 'logits.csv'), '--json');
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    const want = expected['logits.csv']!;
    assert.equal(report.format, 'csv');
    assert.equal(report.task, 'categorical');
    assert.equal(report.n, want.n);
    assert.equal(report.predictionKind, 'logits');
    assertClose(report.crossEntropy, want.crossEntropy, 1e-12, 'crossEntropy');
    assertClose(report.logLikelihood, want.logLikelihood, 1e-12, 'logLikelihood');
    assertClose(report.log10Likelihood, want.log10Likelihood, 1e-12, 'log10Likelihood');
    assert.deepEqual(report.warnings, []);
  });

  it('--json gives every headline figure its error bar, the losses in the unit asked for; the text report lists them', () => {
    const want = readJson<{ overconfident: { crossEntropyStdError: number; accuracyStdError: number; eceInterval: [number, number]; noiseFloor: number } }>(
      fixturePath('uncertainty', 'expected.json'),
    ).overconfident;
    const path = fixturePath('uncertainty', 'overconfident.csv');
    const { code, stdout, stderr } = run(path, '--json', '--log-base', '2');
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    assertClose(report.errorBars.crossEntropy.standardError, want.crossEntropyStdError / Math.LN2, 1e-10, 'cross-entropy se in bits');
    assertClose(report.errorBars.accuracy.standardError, want.accuracyStdError, 1e-10, 'accuracy se, no unit');
    assertClose(report.errorBars.expectedCalibrationError.lower, want.eceInterval[0], 1e-12, 'ECE lower');
    assert.equal(report.errorBars.expectedCalibrationError.standardError, null);
    assertClose(report.calibrationNoiseFloor.value, want.noiseFloor, 1e-9, 'noise floor');
    const text = run(path, '--log-base', '2').stdout;
    assert.match(text, /\n {2}cross-entropy +\u00b1 0\.03817 bits \(95% /);
    assert.match(text, /\n {2}ECE +\(95% 0\.1003 to 0\.141\): 95% interval: the 2\.5th and 97\.5th percentiles/);
    assert.match(text, /\n {2}ECE noise floor +0\.02638: /);
  });

  it('leaves out rows with a missing value, counted in the warnings of the JSON and the text; --strict refuses them at their line', () => {
    const want = readJson<Record<string, { n: number; missing: number; missingLines: number[]; crossEntropy: number }>>(
      fixturePath('missing', 'expected.json'),
    )['classifier.csv']!;
    const path = fixturePath('missing', 'classifier.csv');
    const { code, stdout, stderr } = run(path, '--json');
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    assert.equal(report.n, want.n);
    assertClose(report.crossEntropy, want.crossEntropy, 1e-14, 'crossEntropy');
    const warning = `${want.missing} rows with a missing value (NaN, null or an empty cell) were left out: lines ${want.missingLines.join(', ')}.`;
    assert.deepEqual(report.warnings, [warning]);
    assert.ok(run(path).stdout.includes(warning));
    const strict = run(path, '--strict');
    assert.notEqual(strict.code, 0);
    assert.equal(strict.stdout, '');
    assert.match(strict.stderr, new RegExp(`classifier\\.csv: line ${want.missingLines[0]}: the label is missing \\(NaN\\)\\n$`));
  });

  it('takes --target, --pred and --pred-kind', () => {
    const { code, stdout } = run(
      fixturePath('classifier', 'named.csv'),
      '--target',
      'target',
      '--pred',
      'prob_0,prob_1,prob_2,prob_3',
      '--pred-kind',
      'probs',
      '--json',
    );
    assert.equal(code, 0);
    assertClose(JSON.parse(stdout).crossEntropy, expected['named.csv']!.crossEntropy, 1e-12, 'crossEntropy');
  });

  it("--weights, --ignore-index and --label-smoothing give F.cross_entropy's number", () => {
    const want = readJson<Record<string, { torchOptions: { crossEntropy: number; crossEntropyIgnoringOnly: number; ignored: number } }>>(
      fixturePath('classifier', 'expected.json'),
    )['logits.csv']!.torchOptions;
    const { code, stdout, stderr } = run(
      fixturePath('classifier', 'logits.csv'),
      '--weights',
      '1,2,0.5,1.5,1',
      '--ignore-index',
      '2',
      '--label-smoothing',
      '0.1',
      '--json',
    );
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    assertClose(report.torchCrossEntropy, want.crossEntropy, 1e-12, 'F.cross_entropy(weight, ignore_index, label_smoothing)');
    // The likelihood is over the rows not ignored, unweighted and unsmoothed.
    assertClose(report.crossEntropy, want.crossEntropyIgnoringOnly, 1e-12, 'F.cross_entropy(ignore_index)');
    assert.equal(report.ignored, want.ignored);
    assert.ok(report.warnings.some((w: string) => w.includes(`${want.ignored} row(s) have the ignore index 2`)));
  });

  it('prints a readable summary without --json', () => {
    const { code, stdout } = run(fixturePath('classifier', 'basic.csv'));
    assert.equal(code, 0);
    assert.match(stdout, /^basic\.csv \(csv, 200 rows, 4 classes\)$/m);
    assert.match(stdout, new RegExp(`cross-entropy +${expected['basic.csv']!.crossEntropy.toPrecision(10).replace(/0+$/, '').replace('.', '\\.')} nats`));
  });

  const bad: [string[], RegExp, number][] = [
    [[fixturePath('classifier', 'ragged.csv')], /^likelihood-lens: ragged\.csv: line 3: expected 3 fields, found 2\n$/, 1],
    [[fixturePath('classifier', 'bad_label.csv')], /^likelihood-lens: bad_label\.csv: line 3: label 2 is not a class index in 0\.\.1\n$/, 1],
    [[fixturePath('classifier', 'nope.csv')], /^likelihood-lens: nope\.csv: no such file\n$/, 1],
    [
      [fixturePath('classifier', 'basic.csv'), '--target', 'missing'],
      /^likelihood-lens: basic\.csv: no column named 'missing' \(numeric columns: label, p0, p1, p2, p3\)\n$/,
      1,
    ],
    [[fixturePath('classifier', 'basic.csv'), '--pred-kind', 'odds'], /^likelihood-lens: --pred-kind must be one of probs, logits, logprobs\nusage: /, 2],
    [[], /^likelihood-lens: no FILE given\nusage: /, 2],
    [[fixturePath('classifier', 'logits.csv'), '--label-smoothing', '2'], /^likelihood-lens: --label-smoothing must be in \[0, 1\]\nusage: /, 2],
    [[fixturePath('classifier', 'logits.csv'), '--weights', '1,x'], /^likelihood-lens: --weights: 'x' is not a number\nusage: /, 2],
    [[fixturePath('classifier', 'logits.csv'), '--weights', '1,2'], /^likelihood-lens: logits\.csv: 2 class weights for 5 classes\n$/, 1],
  ];
  for (const [args, message, exitCode] of bad) {
    it(`exits ${exitCode} with one line for ${args.length ? args.map((a) => a.split('/').pop()).join(' ') : 'no arguments'}`, () => {
      const { code, stdout, stderr } = run(...args);
      assert.equal(code, exitCode);
      assert.equal(stdout, '');
      assert.match(stderr, message);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    });
  }
});
