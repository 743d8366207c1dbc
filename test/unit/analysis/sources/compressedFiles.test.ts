import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { analyzeSource } from '../../../../src/analysis/sources/analyzeSource';
import { DEFAULT_LIMITS } from '../../../../src/readers/limits';
import { assertClose, classification, fixturePath, readJson } from '../../../helpers/fixtures';

const expected = readJson<Record<string, { crossEntropy: number; logLikelihood: number; n: number }>>(fixturePath('compressed', 'expected.json'));
const basicCsv = readJson<Record<string, { crossEntropy: number; logLikelihood: number; n: number }>>(fixturePath('classifier', 'expected.json'))['basic.csv']!;

describe('compressed and sniffed files', () => {
  for (const [name, format] of [
    ['basic.csv.gz', 'csv'],
    ['basic.tsv.gz', 'tsv'],
    ['two_members.csv.gz', 'csv'],
    ['records.jsonl.gz', 'JSON Lines'],
    ['table.gz', 'csv'],
    ['records.dat', 'JSON Lines'],
  ] as const) {
    it(`${name}: the cross-entropy PyTorch gives for pandas' reading of it`, async () => {
      const analysis = classification(await analyzeSource({ kind: 'path', path: fixturePath('compressed', name) }));
      assert.equal(analysis.file.format, format);
      assert.equal(analysis.summary.n, expected[name]!.n);
      assertClose(analysis.summary.crossEntropy, expected[name]!.crossEntropy, 1e-12, 'cross-entropy');
      assertClose(analysis.summary.logLikelihood, expected[name]!.logLikelihood, 1e-12, 'log-likelihood');
    });
  }

  for (const name of ['basic.parq', 'basic.pq', 'basic_parquet.bin', 'basic_parquet.dat']) {
    it(`${name} is read as Parquet`, async () => {
      const analysis = classification(await analyzeSource({ kind: 'path', path: fixturePath('parquet', name) }));
      assert.equal(analysis.file.format, 'parquet');
      assertClose(analysis.summary.crossEntropy, basicCsv.crossEntropy, 1e-12, 'cross-entropy');
    });
  }

  it("underflow.csv gzipped in any way gzip allows gives PyTorch's figures for the CSV", async () => {
    const want = readJson<Record<string, { crossEntropy: number; logLikelihood: number; n: number }>>(fixturePath('classifier', 'expected.json'))[
      'underflow.csv'
    ]!;
    const text = readFileSync(fixturePath('classifier', 'underflow.csv'));
    const folder = mkdtempSync(join(tmpdir(), 'lens-'));
    for (const level of [1, 9]) {
      const path = join(folder, `underflow_${level}.csv.gz`);
      writeFileSync(path, gzipSync(text, { level }));
      const analysis = classification(await analyzeSource({ kind: 'path', path }));
      assert.equal(analysis.summary.n, want.n);
      assertClose(analysis.summary.crossEntropy, want.crossEntropy, 1e-12, 'cross-entropy');
      assertClose(analysis.summary.logLikelihood, want.logLikelihood, 1e-12, 'log-likelihood');
    }
  });

  it('a Parquet file named .csv is read by its magic bytes', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lens-')), 'misnamed.csv');
    copyFileSync(fixturePath('parquet', 'basic_snappy.parquet'), path);
    const analysis = classification(await analyzeSource({ kind: 'path', path }));
    assert.equal(analysis.file.format, 'parquet');
    assertClose(analysis.summary.crossEntropy, basicCsv.crossEntropy, 1e-12, 'cross-entropy');
  });

  it('a gzip bomb is refused under the limit, naming the setting', async () => {
    await assert.rejects(
      analyzeSource({ kind: 'path', path: fixturePath('compressed', 'bomb.csv.gz') }, {}, { limits: { ...DEFAULT_LIMITS, maxInflatedBytes: 8 << 20 } }),
      { message: /^bomb\.csv\.gz: byte \d+: decompresses to more than 8 MB \(setting likelihoodLens\.limits\.maxInflatedMB\)$/ },
    );
  });

  it('a .csv.gz that is not gzip, or a .bin that is neither Parquet, Arrow nor gzip, says what its first bytes are', async () => {
    await assert.rejects(analyzeSource({ kind: 'path', path: fixturePath('compressed', 'plain_text.csv.gz') }), {
      message: "plain_text.csv.gz: byte 0: the file starts with 6c 61 62 65, gzip's (1f 8b)",
    });
    const path = join(mkdtempSync(join(tmpdir(), 'lens-')), 'weights.bin');
    copyFileSync(fixturePath('classifier', 'basic.csv'), path);
    await assert.rejects(analyzeSource({ kind: 'path', path }), {
      message: "weights.bin: byte 0: the file starts with 6c 61 62 65, neither Parquet's ('PAR1'), Arrow's ('ARROW1') nor gzip's (1f 8b)",
    });
  });
});
