import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { analyzeSource } from '../../../../src/analysis/sources/analyzeSource';
import { analyzeTable } from '../../../../src/analysis/sources/table';
import { missingRowsWarning } from '../../../../src/analysis/rows/missingRows';
import type { Analysis, AnalysisOptions } from '../../../../src/analysis/results';
import { memorySource } from '../../../../src/readers/byteSource';
import { describeError } from '../../../../src/readers/errors';
import { readParquet } from '../../../../src/readers/parquet';
import { assertClose, classification, fixturePath, readJson } from '../../../helpers/fixtures';

interface Expected {
  readonly rows: number;
  readonly n: number;
  readonly missing: number;
  readonly missingLines: readonly number[];
  readonly missingRows?: readonly number[];
  readonly crossEntropy?: number;
  readonly sum?: number;
  readonly accuracy?: number;
  readonly rowLosses?: readonly number[];
  readonly bce?: number;
  readonly mse?: number;
  readonly gaussianNll?: number;
  readonly mu?: number;
  readonly sigma?: number;
  readonly logLikelihood?: number;
}

// Files with empty cells, NaN spellings and JSON nulls, and what pandas' dropna() and PyTorch,
// NumPy and SciPy give on the rows that remain (test/fixtures/gen/gen_missing.py).
const expected = readJson<Record<string, Expected>>(fixturePath('missing', 'expected.json'));
const analyze = (name: string, options: AnalysisOptions = {}) => analyzeSource({ kind: 'path', path: fixturePath('missing', name) }, options);

function warningOf(analysis: Analysis): string {
  const found = analysis.warnings.filter((warning) => warning.includes('with a missing value'));
  assert.equal(found.length, 1, analysis.warnings.join('\n'));
  return found[0]!;
}

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return describeError(error);
  }
  throw new Error('read without an error');
}

describe('rows with a missing value', () => {
  it('a classifier CSV: the rows pandas drops are left out of F.cross_entropy, counted and named by their lines', async () => {
    const want = expected['classifier.csv']!;
    const analysis = classification(await analyze('classifier.csv'));
    assert.equal(analysis.summary.n, want.n);
    assert.equal(analysis.summary.ignored, 0);
    assert.equal(analysis.file.rows, want.rows);
    assertClose(analysis.summary.crossEntropy, want.crossEntropy!, 1e-14, 'cross-entropy');
    assertClose(analysis.summary.torchCrossEntropy, want.crossEntropy!, 1e-14, 'F.cross_entropy');
    assertClose(-analysis.summary.logLikelihood, want.sum!, 1e-14, "reduction='sum'");
    assertClose(analysis.summary.accuracy, want.accuracy!, 1e-15, 'accuracy');
    assert.equal(
      warningOf(analysis),
      `${want.missing} rows with a missing value (NaN, null or an empty cell) were left out: lines ${want.missingLines.join(', ')}.`,
    );
  });

  it("reduction='none' gives the kept rows PyTorch's losses, and 0 where a row was left out", async () => {
    const want = expected['classifier.csv']!;
    const analysis = classification(await analyze('classifier.csv', { keepRowLosses: true }));
    const losses = analysis.rowLosses!.crossEntropy!;
    assert.equal(losses.length, want.rows);
    const kept = losses.filter((_, row) => !want.missingRows!.includes(row));
    assert.equal(kept.length, want.rowLosses!.length);
    kept.forEach((loss, i) => assertClose(loss, want.rowLosses![i]!, 1e-14, `row loss ${i}`));
    for (const row of want.missingRows!) assert.equal(losses[row], 0);
  });

  it('JSON Lines with null: the same rows left out, the same figures', async () => {
    const want = expected['classifier.csv']!;
    const analysis = classification(await analyze('classifier.jsonl'));
    assert.equal(analysis.summary.n, want.n);
    assertClose(analysis.summary.crossEntropy, want.crossEntropy!, 1e-14, 'cross-entropy');
    // No header line: row r is on line r + 1.
    assert.ok(warningOf(analysis).endsWith(`left out: lines ${want.missingRows!.map((row) => row + 1).join(', ')}.`), warningOf(analysis));
  });

  it('Parquet nulls: the same rows left out, named by their rows', async () => {
    const want = expected['classifier.csv']!;
    const [header, ...lines] = readFileSync(fixturePath('missing', 'classifier.csv'), 'utf8').trimEnd().split('\n');
    const cells = lines.map((line) => line.split(','));
    const columnData = header!.split(',').map((name, j) => ({
      name,
      data: cells.map((row) => (row[j] === '' || row[j] === 'NaN' || row[j] === 'NA' ? null : Number(row[j]))),
      type: j === 0 ? ('INT32' as const) : ('DOUBLE' as const),
    }));
    const table = await readParquet(memorySource('missing.parquet', new Uint8Array(parquetWriteBuffer({ columnData }))));
    const analysis = classification(await analyzeTable(table, 'missing.parquet'));
    assert.equal(analysis.summary.n, want.n);
    assertClose(analysis.summary.crossEntropy, want.crossEntropy!, 1e-14, 'cross-entropy');
    assert.ok(warningOf(analysis).endsWith(`left out: rows ${want.missingRows!.join(', ')}.`), warningOf(analysis));
    assert.equal(
      await errorOf(analyzeTable(table, 'missing.parquet', { strictMissing: true })),
      `missing.parquet: row ${want.missingRows![0]}: the label is missing (NaN)`,
    );
  });

  it('a binary classifier: F.binary_cross_entropy on the rows that remain', async () => {
    const want = expected['binary.csv']!;
    const analysis = classification(await analyze('binary.csv'));
    assert.equal(analysis.task, 'binary');
    assert.equal(analysis.summary.n, want.n);
    assert.equal(analysis.file.rows, want.rows);
    assertClose(analysis.summary.crossEntropy, want.bce!, 1e-14, 'cross-entropy');
    assert.ok(warningOf(analysis).endsWith(`left out: lines ${want.missingLines.join(', ')}.`), warningOf(analysis));
  });

  it('a regression: the MSE and F.gaussian_nll_loss of the rows that remain', async () => {
    const want = expected['regression.csv']!;
    const analysis = await analyze('regression.csv', { task: 'regression', target: 'target', predictions: ['prediction'] });
    assert.equal(analysis.task, 'regression');
    if (analysis.task !== 'regression') return;
    assert.equal(analysis.summary.n, want.n);
    assert.equal(analysis.file.rows, want.rows);
    assertClose(analysis.summary.mse, want.mse!, 1e-14, 'MSE');
    // The summary's Gaussian NLL is the sum over rows; F.gaussian_nll_loss's default reduction is the mean.
    assertClose(analysis.summary.gaussianNll / want.n, want.gaussianNll!, 1e-14, 'Gaussian NLL');
    assert.ok(warningOf(analysis).endsWith(`left out: lines ${want.missingLines.join(', ')}.`), warningOf(analysis));
  });

  it("a Gaussian fit: SciPy's norm.fit of the values that are there", async () => {
    const want = expected['fit.csv']!;
    const analysis = await analyze('fit.csv', { task: 'fit', dist: 'gaussian' });
    assert.equal(analysis.task, 'fit');
    if (analysis.task !== 'fit') return;
    assert.equal(analysis.summary.n, want.n);
    assert.equal(analysis.file.rows, want.rows);
    const estimates = analysis.summary.estimates as { mu: number; sigma: number };
    assertClose(estimates.mu, want.mu!, 1e-14, 'mu');
    assertClose(estimates.sigma, want.sigma!, 1e-13, 'sigma');
    assertClose(analysis.summary.logLikelihood, want.logLikelihood!, 1e-13, 'log-likelihood');
    assert.ok(warningOf(analysis).endsWith(`left out: lines ${want.missingLines.join(', ')}.`), warningOf(analysis));
  });

  it('strict: the first missing value stops the analysis at its line, as before', async () => {
    const strict = { strictMissing: true };
    assert.match(await errorOf(analyze('classifier.csv', strict)), /^classifier\.csv: line 5: the label is missing \(NaN\)$/);
    assert.match(await errorOf(analyze('binary.csv', strict)), /^binary\.csv: line 2: the probability is missing \(NaN\)$/);
    assert.match(
      await errorOf(analyze('regression.csv', { ...strict, task: 'regression', target: 'target', predictions: ['prediction'] })),
      /^regression\.csv: line 4: the target is missing \(NaN\)$/,
    );
    assert.match(await errorOf(analyze('fit.csv', { ...strict, task: 'fit', dist: 'gaussian' })), /^fit\.csv: line 7: the value is missing \(NaN\)$/);
  });

  it('every row missing: one line that says so', async () => {
    const bytes = new TextEncoder().encode('label,p0,p1\n,0.5,0.5\n1,,0.5\n');
    const message = await errorOf(analyzeSource({ kind: 'bytes', name: 'empty.csv', bytes }));
    assert.equal(message, 'empty.csv: every row has a missing value (2 left out)');
  });

  it('the warning names the first rows, then how many more', () => {
    const rows = Array.from({ length: 20 }, (_, i) => 3 * i);
    assert.equal(
      missingRowsWarning({ count: 25, rows }, (row) => `line ${row + 2}`),
      `25 rows with a missing value (NaN, null or an empty cell) were left out: lines ${rows.map((row) => row + 2).join(', ')} and 5 more.`,
    );
    assert.equal(
      missingRowsWarning({ count: 2, rows: [4, 9] }, (row) => `tensor 'y' row ${row}`),
      "2 rows with a missing value (NaN, null or an empty cell) were left out: tensor 'y' row 4, tensor 'y' row 9.",
    );
  });
});
