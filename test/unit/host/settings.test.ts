import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { serveRequest } from '../../../src/worker/serveRequest';
import { RERUN_SECTIONS, runSettings, settingsFrom, workerEnvironment } from '../../../src/host/settingValues';
import { DEFAULT_LIMITS } from '../../../src/readers/limits';
import { fixturePath, readJson, REPO_ROOT } from '../../helpers/fixtures';

interface Manifest {
  contributes: { configuration: { properties: Record<string, { default: unknown }> } };
}

const PREFIX = 'likelihoodLens.';
const properties = readJson<Manifest>(join(REPO_ROOT, 'package.json')).contributes.configuration.properties;
/** What VS Code hands over when nothing is set: the contributed defaults. */
const contributedDefaults = (key: string) => properties[PREFIX + key]?.default;

describe('settings', () => {
  it('falls back to the defaults package.json contributes, and the reader limits default to DEFAULT_LIMITS', () => {
    const fromManifest = settingsFrom(contributedDefaults);
    assert.deepEqual(
      settingsFrom(() => undefined),
      fromManifest,
    );
    assert.deepEqual(fromManifest.limits, DEFAULT_LIMITS);
    assert.deepEqual({ unit: fromManifest.unit, sigma: fromManifest.sigma, autoOpen: fromManifest.autoOpen }, { unit: 'nats', sigma: 1, autoOpen: false });
  });

  it('reads every setting package.json contributes, and no other', () => {
    const asked = new Set<string>();
    settingsFrom((key) => (asked.add(PREFIX + key), undefined));
    assert.deepEqual([...asked].sort(), Object.keys(properties).sort());
  });

  it('maps the log base to a unit, and ignores values settings.json should not hold', () => {
    const unit = (logBase: unknown) => settingsFrom((key) => (key === 'logBase' ? logBase : contributedDefaults(key))).unit;
    assert.deepEqual([unit('e'), unit('2'), unit('10'), unit(2), unit('3')], ['nats', 'bits', 'digits', 'bits', 'nats']);
    const bad = settingsFrom(
      (key) => ({ 'regression.sigma': 0, 'limits.maxTensors': -5, 'limits.maxHeaderMB': 'big', autoOpen: 'yes' })[key] ?? contributedDefaults(key),
    );
    assert.equal(bad.sigma, 1);
    assert.equal(bad.autoOpen, false);
    assert.deepEqual(bad.limits, DEFAULT_LIMITS);
  });

  it("switches the kernel off in the worker's environment only when the setting is false", () => {
    const host = { PATH: '/bin', LIKELIHOOD_LENS_THREADS: '1' };
    const kernel = (value: unknown) => settingsFrom((key) => (key === 'kernel.enabled' ? value : contributedDefaults(key)));
    assert.equal(kernel(undefined).kernel, true);
    assert.equal(workerEnvironment(kernel(true), host), host);
    assert.equal(workerEnvironment(kernel('no'), host), host);
    assert.deepEqual(workerEnvironment(kernel(false), host), { ...host, LIKELIHOOD_LENS_KERNEL: 'off' });
  });

  it('passes likelihoodLens.strictMissingValues to a run only when it is true, and runs open analyses again when it changes', () => {
    const strict = (value: unknown) => settingsFrom((key) => (key === 'strictMissingValues' ? value : contributedDefaults(key)));
    assert.equal(strict(undefined).strictMissingValues, false);
    assert.equal(runSettings(strict(undefined), {}).options.strictMissing, undefined);
    assert.equal(runSettings(strict('yes'), {}).options.strictMissing, undefined);
    assert.equal(runSettings(strict(true), { target: 'y' }).options.strictMissing, true);
    assert.ok(RERUN_SECTIONS.includes('likelihoodLens.strictMissingValues'));
  });

  it('turns MB into bytes and counts into whole numbers', () => {
    const values: Record<string, unknown> = {
      'limits.maxHeaderMB': 0.5,
      'limits.maxTensorMB': 3,
      'limits.maxTensors': 7.9,
      'limits.maxPickleDepth': 12,
      'limits.maxInflatedMB': 2,
      'limits.maxCompressionRatio': 50,
      maxFileSizeMB: 10,
    };
    const settings = settingsFrom((key) => values[key] ?? contributedDefaults(key));
    assert.deepEqual(settings.limits, {
      maxHeaderBytes: 2 ** 19,
      maxTensorBytes: 3 * 2 ** 20,
      maxTensors: 7,
      maxPickleDepth: 12,
      maxInflatedBytes: 2 * 2 ** 20,
      maxCompressionRatio: 50,
    });
    assert.equal(settings.maxFileBytes, 10 * 2 ** 20);
  });

  it('gives a run the settings sigma unless the panel chose one, with the file size and reader limits', () => {
    const settings = settingsFrom((key) => (key === 'regression.sigma' ? 2.5 : contributedDefaults(key)));
    assert.deepEqual(runSettings(settings, { target: 'y' }), { options: { target: 'y', sigma: 2.5 }, maxBytes: 2048 * 2 ** 20, limits: DEFAULT_LIMITS });
    assert.equal(runSettings(settings, { sigma: 0.1 }).options.sigma, 0.1);
  });

  it('the limits reach the readers in the worker, and the refusal names the setting', async () => {
    const limits = { ...DEFAULT_LIMITS, maxTensors: 2 };
    const source = { kind: 'path' as const, path: fixturePath('tensors', 'savez.npz') };
    const analysed = await serveRequest({ id: 1, source, options: {}, limits });
    assert.match(analysed.error ?? '', /over the limit of 2 \(setting likelihoodLens\.limits\.maxTensors\)/);
    const inspected = await serveRequest({ id: 2, action: 'inspect', source, options: {}, limits });
    assert.match(inspected.error ?? '', /likelihoodLens\.limits\.maxTensors/);
    assert.equal((await serveRequest({ id: 3, action: 'inspect', source, options: {} })).error, undefined);
  });
});
