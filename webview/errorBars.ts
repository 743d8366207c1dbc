/** Error bars under the panel's headline figures, with how each was made in the tooltip. */
import type { ClassificationAnalysis, ErrorBar } from '../src/protocol/webview';
import { h } from './dom';
import { formatNumber } from './format';

/**
 * A figure's error bar under its value: '\u00b1 se' (two digits) and its 95% interval (four), the
 * method in the tooltip; nothing when the figure has none (one row, an infinite loss).
 */
export function errorBarLine(bar: ErrorBar | undefined, testId: string, show: (value: number, digits: number) => string, prefix = ''): HTMLElement | string {
  if (!bar || !Number.isFinite(bar.lower) || !Number.isFinite(bar.upper)) return '';
  const se = Number.isFinite(bar.standardError) ? `\u00b1 ${show(bar.standardError, 2)} \u00b7 ` : '';
  return h(
    'div',
    { class: 'card-error', 'data-testid': `${testId}-error`, 'data-standard-error': String(bar.standardError), title: bar.method },
    `${prefix}${se}95% ${show(bar.lower, 4)} to ${show(bar.upper, 4)}`,
  );
}

export const plainErrorBar = (bar: ErrorBar | undefined, testId: string) => errorBarLine(bar, testId, formatNumber);
export const percentErrorBar = (bar: ErrorBar | undefined, testId: string) =>
  errorBarLine(bar, testId, (value, digits) => `${formatNumber(100 * value, digits)}%`);

/** The ECE a perfectly calibrated model would show by chance with the same bins: how much of the ECE small bins alone explain. */
export function noiseFloorLine(floor: ClassificationAnalysis['summary']['calibrationNoiseFloor'] | undefined): HTMLElement | string {
  if (!floor || !Number.isFinite(floor.value)) return '';
  return h(
    'div',
    { class: 'card-error', 'data-testid': 'ece-noise-floor', 'data-value': String(floor.value), title: floor.method },
    `calibrated by chance: ${formatNumber(floor.value, 2)}`,
  );
}
