// Support for the comparison tests (not a test file itself): test/fixtures/compare/ and its expected.json (gen_compare.py).
import assert from 'node:assert/strict';
import type { Comparison } from '../../../src/analysis/results';
import type { PairedComparisonResult } from '../../../src/engine/comparison/pairedComparison';
import { assertClose, fixturePath, readJson } from '../../helpers/fixtures';

export const compareFixture = (...parts: string[]): string => fixturePath('compare', ...parts);
export const compareExpected: any = readJson(compareFixture('expected.json'));

/** The paired figures every comparison has (the engine's result or the analysis' Comparison) against the generator's, to `tolerance` relative. */
export function assertPairedFigures(actual: Omit<PairedComparisonResult, 'correctness'>, want: any, tolerance: number): void {
  assert.equal(actual.n, want.n);
  for (const key of [
    'crossEntropyA',
    'crossEntropyB',
    'crossEntropyStdErrorA',
    'crossEntropyStdErrorB',
    'crossEntropyDifference',
    'logLikelihoodRatio',
    'differenceStdError',
  ] as const) {
    assertClose(actual[key], want[key], tolerance, key);
  }
  for (const interval of ['normalInterval95', 'bootstrapInterval95'] as const) {
    assertClose(actual[interval].lower, want[interval].lower, tolerance, `${interval}.lower`);
    assertClose(actual[interval].upper, want[interval].upper, tolerance, `${interval}.upper`);
  }
  assert.deepEqual(
    [actual.bootstrapInterval95.replicates, actual.bootstrapInterval95.seed],
    [want.bootstrapInterval95.replicates, want.bootstrapInterval95.seed],
  );
  assert.deepEqual([actual.winsA, actual.winsB, actual.ties], [want.winsA, want.winsB, want.ties]);
  assert.deepEqual(
    actual.largestDifferences.aWorse.map((row) => row.row),
    want.aWorseRows,
  );
  assert.deepEqual(
    actual.largestDifferences.bWorse.map((row) => row.row),
    want.bWorseRows,
  );
}

/** A Comparison (or its JSON) against the generator's numbers, to `tolerance` relative. */
export function assertComparisonMatches(actual: Comparison, want: any, tolerance: number): void {
  assertPairedFigures(actual, want, tolerance);
  const c = want.correctness;
  if (!c) {
    assert.equal(actual.mcnemarPValue, undefined, 'no top class, no McNemar test');
    return;
  }
  assert.equal(actual.accuracyA, c.accuracyA);
  assert.equal(actual.accuracyB, c.accuracyB);
  assert.deepEqual([actual.bothRight, actual.bothWrong], [c.bothRight, c.bothWrong]);
  assert.deepEqual([actual.flippedRightToWrong, actual.flippedWrongToRight], [c.mcnemar.aRightBWrong, c.mcnemar.aWrongBRight]);
  assert.deepEqual(actual.flippedRightToWrongRows, c.aRightBWrongRows);
  assert.deepEqual(actual.flippedWrongToRightRows, c.aWrongBRightRows);
  assertClose(actual.mcnemarPValue!, c.mcnemar.pValue, 1e-12, 'mcnemarPValue');
  assertClose(actual.mcnemarLog10PValue!, c.mcnemar.log10PValue, 1e-12, 'mcnemarLog10PValue');
}
