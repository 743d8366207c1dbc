/**
 * The likelihoodLens.* settings as values the extension uses. Kept free of `vscode` (settings.ts
 * does the reading) so the mapping is unit-tested.
 */
import type { AnalysisOptions } from '../analysis/results';
import type { WorkerRequest } from '../protocol/worker';
import type { InformationUnit } from '../engine/units';
import { DEFAULT_LIMITS, LIMIT_SETTINGS, type ReadLimits } from '../readers/limits';

/** One setting's value by its key under likelihoodLens. (undefined when unset and uncontributed). */
export type SettingLookup = (key: string) => unknown;

export interface Settings {
  readonly maxFileBytes: number;
  readonly debounceMs: number;
  readonly statusBar: boolean;
  readonly diagnostics: boolean;
  /** The unit losses are shown in, from likelihoodLens.logBase. */
  readonly unit: InformationUnit;
  readonly sigma: number;
  readonly autoOpen: boolean;
  readonly limits: ReadLimits;
  /** Whether rows of logits are scored by the WebAssembly kernel (else by the JavaScript loop). */
  readonly kernel: boolean;
  /** Refuse rows with a missing value rather than leave them out with a warning. */
  readonly strictMissingValues: boolean;
}

/** Changing any of these changes the numbers, so open analyses are run again. */
export const RERUN_SECTIONS: readonly string[] = [
  'likelihoodLens.maxFileSizeMB',
  'likelihoodLens.limits',
  'likelihoodLens.regression',
  'likelihoodLens.strictMissingValues',
];

const MB = 2 ** 20;
const UNITS: Readonly<Record<string, InformationUnit>> = { e: 'nats', '2': 'bits', '10': 'digits' };

/** A number setting, or `fallback` when it is missing, not finite or below `minimum` (settings.json is hand-edited). */
function numberSetting(value: unknown, fallback: number, minimum: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= minimum ? value : fallback;
}

const booleanSetting = (value: unknown, fallback: boolean): boolean => (typeof value === 'boolean' ? value : fallback);

function readLimits(get: SettingLookup): ReadLimits {
  const entries = (Object.keys(LIMIT_SETTINGS) as (keyof ReadLimits)[]).map((limit) => {
    const { key, megabytes } = LIMIT_SETTINGS[limit];
    const scale = megabytes ? MB : 1;
    const value = numberSetting(get(key), DEFAULT_LIMITS[limit] / scale, megabytes ? Number.MIN_VALUE : 1);
    return [limit, megabytes ? Math.round(value * scale) : Math.floor(value)] as const;
  });
  return Object.fromEntries(entries) as unknown as ReadLimits;
}

export function settingsFrom(get: SettingLookup): Settings {
  return {
    maxFileBytes: numberSetting(get('maxFileSizeMB'), 2048, 1) * MB,
    debounceMs: numberSetting(get('liveUpdateDelayMs'), 300, 0),
    statusBar: booleanSetting(get('statusBar.enabled'), true),
    diagnostics: booleanSetting(get('diagnostics.enabled'), true),
    unit: UNITS[String(get('logBase'))] ?? 'nats',
    sigma: numberSetting(get('regression.sigma'), 1, Number.MIN_VALUE),
    autoOpen: booleanSetting(get('autoOpen'), false),
    limits: readLimits(get),
    kernel: booleanSetting(get('kernel.enabled'), true),
    strictMissingValues: booleanSetting(get('strictMissingValues'), false),
  };
}

/** The environment the analysis worker starts in: the host's, with the kernel switched off when the setting says so. */
export function workerEnvironment(settings: Settings, host: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return settings.kernel ? host : { ...host, LIKELIHOOD_LENS_KERNEL: 'off' };
}

/** What a worker run takes from the settings; the options the user chose in the panel win over the settings' defaults. */
export function runSettings(settings: Settings, chosen: AnalysisOptions): Pick<WorkerRequest, 'options' | 'maxBytes' | 'limits'> {
  return {
    options: { ...chosen, sigma: chosen.sigma ?? settings.sigma, ...(settings.strictMissingValues ? { strictMissing: true } : {}) },
    maxBytes: settings.maxFileBytes,
    limits: settings.limits,
  };
}
