import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompensatedSum } from '../../../src/engine/compensatedSum';
import { crossEntropy } from '../../../src/engine/crossEntropyLoss';
import { float64ProductFromLogs } from '../../../src/engine/logSpace';
import { convertNats, likelihoodInUnits, perplexity } from '../../../src/engine/units';
import { assertRelative, expected, readNpy } from './engineFixtures';

const many = expected.manyRows;

/** The same 10^5 probabilities the generator builds: exact integer arithmetic and one correctly rounded division. */
function manyProbabilities(): Float64Array {
  const p = new Float64Array(many.rows);
  for (let i = 0; i < many.rows; i++) p[i] = (((i * 7919) % 9973) + 1) / 9974;
  return p;
}

describe('units and the likelihood of 10^5 rows', () => {
  const logs = Array.from(manyProbabilities(), Math.log);
  const sum = new CompensatedSum();
  for (const v of logs) sum.add(v);
  const logL = sum.value;

  it('log L, log10 L and mantissa x 10^exponent match math.fsum in Python', () => {
    assertRelative(logL, many.logLikelihood, 1e-12, 'log L');
    const l = likelihoodInUnits(logL);
    assertRelative(l.log10Likelihood, many.log10Likelihood, 1e-12, 'log10 L');
    assert.equal(l.scientific.exponent, many.exponent);
    // The mantissa is 10^(fractional part of log10 L): an absolute error d in log10 L becomes a relative d ln 10.
    assertRelative(l.scientific.mantissa, many.mantissa, 1e-9, 'mantissa');
  });

  it('a float64 product is 0 (it underflows at the row Python finds); the log is not', () => {
    let product = 1;
    for (const p of manyProbabilities()) product *= p;
    assert.equal(product, many.float64Product);
    assert.equal(product, 0);
    assert.equal(float64ProductFromLogs(logs).underflowRow, many.underflowRow);
  });

  it('nats, bits and decimal digits, and perplexity', () => {
    const meanNll = -logL / many.rows;
    assertRelative(meanNll, many.meanNll, 1e-12, 'nats');
    assertRelative(convertNats(-logL, 'bits'), many.bits, 1e-12, 'bits');
    assertRelative(convertNats(-logL, 'digits'), many.digits, 1e-12, 'digits');
    assertRelative(perplexity(meanNll), many.perplexity, 1e-12, 'perplexity');
    assertRelative(2 ** convertNats(meanNll, 'bits'), perplexity(meanNll), 1e-12, 'perplexity in bits');
    assert.equal(convertNats(1.5, 'nats'), 1.5);
  });
});

describe('float32 and float16 inputs: references computed in float64 from the stored values', () => {
  const labels = readNpy(expected.dtypes.labels).values;
  for (const dtype of ['float32', 'float16'] as const) {
    it(`${dtype} logits: cross-entropy of the stored values matches F.cross_entropy on them cast to float64`, () => {
      const { shape, values } = readNpy(expected.dtypes[dtype].file);
      if (dtype === 'float32') assert.ok(values instanceof Float32Array);
      const scores = { n: shape[0]!, k: shape[1]!, values };
      const ce = crossEntropy(labels, scores, { kind: 'logits' });
      assertRelative(ce, expected.dtypes[dtype].crossEntropy, 1e-12, dtype);
      // And it is not the float64 original's value: the rounding of the stored values shows.
      assert.ok(Math.abs(ce - expected.dtypes[dtype].crossEntropyFloat64Input) > 1e-10);
    });
  }
});
