import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parameterSymbol } from '../../../../../src/analysis/tasks/fit/analyze';

describe('parameterSymbol', () => {
  it('writes a class probability as pi with subscript digits and leaves other names alone', () => {
    assert.equal(parameterSymbol('pi_1'), '\u03c0\u2081');
    assert.equal(parameterSymbol('pi_12'), '\u03c0\u2081\u2082');
    assert.equal(parameterSymbol('T'), 'T');
    assert.equal(parameterSymbol('pi_x'), 'pi_x');
  });
});
