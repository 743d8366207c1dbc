// Soft, regression, fit and entropy analyses of tensors (a .safetensors file written here from the
// engine fixtures' columns), against the same PyTorch/SciPy values as the CSV path.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { analyzeSource } from '../../../../src/analysis/sources/analyzeSource';
import type { Analysis, AnalysisOptions } from '../../../../src/analysis/results';
import { assertRelative, expected, readNumericCsv } from '../../engine/engineFixtures';

const TOLERANCE = 1e-9;
const folder = mkdtempSync(join(tmpdir(), 'likelihood-lens-tensor-tasks-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/** A .safetensors file of float64 tensors, each [n, k] from k columns of an engine fixture. */
function safetensorsOf(name: string, fixture: string, tensors: Record<string, readonly string[]>): string {
  const columns = readNumericCsv(fixture);
  const header: Record<string, object> = {};
  const parts: Float64Array[] = [];
  let offset = 0;
  for (const [tensor, names] of Object.entries(tensors)) {
    const n = columns.get(names[0]!)!.length;
    const data = new Float64Array(n * names.length);
    names.forEach((column, j) => columns.get(column)!.forEach((v, i) => (data[i * names.length + j] = v)));
    header[tensor] = { dtype: 'F64', shape: names.length === 1 ? [n] : [n, names.length], data_offsets: [offset, offset + data.byteLength] };
    parts.push(data);
    offset += data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(8 + json.length + offset);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  let at = 8 + json.length;
  for (const part of parts) {
    bytes.set(new Uint8Array(part.buffer), at);
    at += part.byteLength;
  }
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return path;
}

async function analyze<T extends Exclude<Analysis['task'], 'eval'>>(path: string, task: T, options: AnalysisOptions): Promise<Extract<Analysis, { task: T }>> {
  const analysis = await analyzeSource({ kind: 'path', path }, { task, ...options });
  assert.equal(analysis.task, task);
  return analysis as Extract<Analysis, { task: T }>;
}

describe('tasks other than classification, on tensors', () => {
  it('regression: y and yhat [n, 3] with a variance tensor, as F.mse_loss, scipy.stats.norm and F.gaussian_nll_loss', async () => {
    const reg = expected.regression;
    const path = safetensorsOf('regression.safetensors', 'regression.csv', {
      y: ['y0', 'y1', 'y2'],
      yhat: ['yhat0', 'yhat1', 'yhat2'],
      var: ['var0', 'var1', 'var2'],
    });
    const { summary } = await analyze(path, 'regression', { sigma: reg.sigma, variance: ['var'] });
    assertRelative(summary.mse, reg.mseLoss, TOLERANCE, 'MSE');
    assertRelative(summary.gaussianNll, reg.gaussianNllSum, TOLERANCE, 'Gaussian NLL');
    assertRelative(summary.sigmaMle, reg.sigmaMle, TOLERANCE, 'sigma MLE');
    assertRelative(summary.predictedVariance!.mean, reg.gaussianNllLoss['full=false,eps=1e-6,mean'], TOLERANCE, 'gaussian_nll_loss, full=False, eps=1e-6');
  });

  it('soft targets: t and logits z [n, 4], as F.cross_entropy with probability targets, entropy and F.kl_div', async () => {
    const soft = expected.soft;
    const path = safetensorsOf('soft.safetensors', 'soft.csv', { targets: ['t0', 't1', 't2', 't3'], logits: ['z0', 'z1', 'z2', 'z3'] });
    const { summary } = await analyze(path, 'soft', {});
    assertRelative(summary.crossEntropy, soft.torchCrossEntropy, TOLERANCE, 'H(p,q)');
    assertRelative(summary.entropy, soft.entropyMean, TOLERANCE, 'H(p)');
    assertRelative(summary.kl, soft.klBatchmean, TOLERANCE, 'KL');
    assert.equal(summary.identity.holds, true);
  });

  it('fit: a Gaussian of one tensor, as scipy.stats.norm.fit', async () => {
    const fits = expected.fits;
    const path = safetensorsOf('fits.safetensors', 'fits.csv', { gauss: ['gauss'] });
    const { summary } = await analyze(path, 'fit', { dist: 'gaussian' });
    assertRelative(summary.estimates.mu!, fits.gaussian.mu, TOLERANCE, 'mu');
    assertRelative(summary.estimates.sigma!, fits.gaussian.sigma, TOLERANCE, 'sigma');
    assertRelative(summary.logLikelihood, fits.gaussian.logLikelihood, TOLERANCE, 'log-likelihood');
  });

  it('entropy: probabilities [n, 5] without labels, as scipy.stats.entropy', async () => {
    const path = safetensorsOf('probs.safetensors', 'categorical.csv', { probs: ['p0', 'p1', 'p2', 'p3', 'p4'] });
    const { summary } = await analyze(path, 'entropy', {});
    assertRelative(summary.entropy, expected.predictionEntropy.mean, 1e-12, 'mean entropy');
  });
});
