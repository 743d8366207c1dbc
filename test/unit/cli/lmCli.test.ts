// The CLI (dist/cli.js) on language models' files: every fixture of test/fixtures/lm against
// PyTorch's numbers (gen_lm.py), the flags, the JSON keys and the text report's definitions.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../helpers/fixtures';
import { LM_FIGURES, lmCase, lmExpected, lmFixture } from '../../helpers/languageModelFiles';
import { defaultAlignment } from '../../../src/roles/vocabulary';
import { assertAllRelative, assertRelative } from '../engine/engineFixtures';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');
const TOLERANCE = 1e-9;

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function report(file: string, ...args: string[]) {
  const { code, stdout, stderr } = run(file, ...args, '--json');
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout);
}

/** Every key of the JSON report of a language model's logits, in order. */
const LOGITS_KEYS = [
  'file',
  'format',
  'task',
  'n',
  'unit',
  'reduction',
  'predictions',
  'predictionKind',
  'target',
  'shape',
  'crossEntropy',
  'logLikelihood',
  'log10Likelihood',
  'likelihood',
  'tokens',
  'sequences',
  'perplexity',
  'meanSequencePerplexity',
  'geometricMeanSequencePerplexity',
  'bitsPerToken',
  'accuracy',
  'meanEntropy',
  'expectedCalibrationError',
  'otherAlignmentCrossEntropy',
  'shift',
  'shiftReason',
  'errorBars',
  'calibrationNoiseFloor',
  'identities',
  'warnings',
];

describe('likelihood-lens CLI: language models', () => {
  for (const c of lmExpected.cases) {
    it(`${c.file} (${c.dtype}, ${c.shift ? 'shifted' : 'unshifted'}) --json`, () => {
      const flags = defaultAlignment(c.targets).shift === c.shift ? [] : [c.shift ? '--shift' : '--no-shift'];
      const r = report(lmFixture(c.file), ...flags);
      assert.equal(r.task, 'lm');
      assert.equal(r.n, c.tokens);
      assert.equal(r.tokens, c.tokens);
      assert.equal(r.sequences, c.sequences);
      assert.equal(r.shift, c.shift);
      assert.equal(typeof r.shiftReason, 'string');
      for (const key of LM_FIGURES) assertRelative(r[key], c[key], TOLERANCE, key);
      assertRelative(r.expectedCalibrationError, c.ece, TOLERANCE, 'expectedCalibrationError');
      const tokenized = !c.file.startsWith('npy_');
      if (tokenized) {
        assertRelative(r.bits_per_byte, c.tokenizer.bitsPerByte, TOLERANCE, 'bits_per_byte');
        assertRelative(r.byte_perplexity, c.tokenizer.bytePerplexity, TOLERANCE, 'byte_perplexity');
        assertRelative(r.word_perplexity, c.tokenizer.wordPerplexity, TOLERANCE, 'word_perplexity');
      }
      const keys = LOGITS_KEYS.flatMap((key) =>
        key === 'target' && c.mask
          ? ['target', 'mask']
          : key === 'shape' && tokenized
            ? ['shape', 'tokenizer']
            : key === 'bitsPerToken' && tokenized
              ? ['bitsPerToken', 'bits_per_byte', 'byte_perplexity', 'word_perplexity']
              : [key],
      );
      assert.deepEqual(Object.keys(r), keys);
      assert.ok(r.identities.length === 2 && r.identities.every((check: any) => check.holds));
    });
  }

  it('--tokenizer FILE for a .npy pair; --task lm; --no-shift on input_ids; --shift and --no-shift together are a usage error', () => {
    const c = lmCase('npy_float16/logits.npy');
    const r = report(lmFixture(c.file), '--tokenizer', lmFixture('tokenizer.json'), '--task', 'lm');
    assertRelative(r.bits_per_byte, c.tokenizer.bitsPerByte, TOLERANCE, 'bits_per_byte');
    assertRelative(r.word_perplexity, c.tokenizer.wordPerplexity, TOLERANCE, 'word_perplexity');
    const unshifted = report(lmFixture('causal_float16.pt'), '--no-shift');
    assert.equal(unshifted.shift, false);
    assertRelative(unshifted.crossEntropy, lmCase('causal_float16.pt').otherAlignmentCrossEntropy, TOLERANCE, 'causal_float16.pt unshifted');
    const both = run(lmFixture('causal_float16.pt'), '--shift', '--no-shift');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--shift and --no-shift contradict each other/);
  });

  it('off_by_one.pt warns; token_logprobs.pt has no accuracy, entropy or calibration; --shift on log-probabilities is refused', () => {
    const wrong = report(lmFixture('off_by_one.pt'));
    assert.ok(
      wrong.warnings.some((w: string) => w.includes('one token off')),
      wrong.warnings.join(' | '),
    );
    const want = lmExpected.tokenLogprobs;
    const r = report(lmFixture('token_logprobs.pt'));
    assert.equal(r.predictionKind, 'token-logprobs');
    assertRelative(r.crossEntropy, want.crossEntropy, TOLERANCE, 'crossEntropy');
    assertRelative(r.meanSequencePerplexity, want.meanSequencePerplexity, TOLERANCE, 'meanSequencePerplexity');
    for (const key of ['accuracy', 'meanEntropy', 'expectedCalibrationError', 'otherAlignmentCrossEntropy', 'bits_per_byte', 'target'])
      assert.ok(!(key in r), key);
    const refused = run(lmFixture('token_logprobs.pt'), '--shift');
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trim().split('\n').length, 1);
    assert.match(refused.stderr, /token_logprobs\.pt: .*shift does not apply/);
  });

  it("--reduction sum and none (F.cross_entropy's reduction), --log-base 2", () => {
    const c = lmCase('causal_float32.pt');
    assertRelative(report(lmFixture(c.file), '--reduction', 'sum').crossEntropy, -c.logLikelihood, TOLERANCE, 'sum');
    assertAllRelative(
      report(lmFixture(c.file), '--reduction', 'none').crossEntropy,
      c.tokenNll.map((loss: number | null) => loss ?? 0),
      TOLERANCE,
      'none',
    );
    const bits = report(lmFixture(c.file), '--log-base', '2');
    assertRelative(bits.crossEntropy, c.crossEntropy / Math.LN2, TOLERANCE, 'bits');
    assertRelative(bits.bitsPerToken, c.bitsPerToken, TOLERANCE, 'bits per token stays in bits');
  });

  it('the text report shows each figure with its definition', () => {
    const { code, stdout, stderr } = run(lmFixture('lm_bfloat16.safetensors'));
    assert.equal(code, 0, stderr);
    const c = lmCase('lm_bfloat16.safetensors');
    assert.match(stdout, /language model: 4 sequence\(s\) x 16 positions, vocabulary 200; 42 scored tokens/);
    assert.ok(stdout.includes(`cross-entropy`) && stdout.includes(c.crossEntropy.toPrecision(10).replace(/0+$/, '')), stdout);
    for (const phrase of [
      'torchmetrics Perplexity',
      'Hugging Face evaluate, "mean_perplexity"',
      'lm-evaluation-harness bits_per_byte',
      'lm-evaluation-harness word_perplexity',
      'ignore_index=-100',
      'shifted:',
    ])
      assert.ok(stdout.includes(phrase), phrase);
  });

  it('a bad file is one line on stderr naming the file and the place, exit 1', () => {
    const { code, stderr } = run(lmFixture('npy_float32/logits.npy'), '--labels', lmFixture('../tensors/int64.npy'));
    assert.equal(code, 1);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /logits\.npy/);
  });
});
