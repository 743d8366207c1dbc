/**
 * The CLI's JSON text. JSON has no infinity or NaN and JSON.stringify writes them as null,
 * which reads as "missing"; an infinite cross-entropy (a true class given probability 0) is a
 * result, not a gap. They are written as the strings "Infinity", "-Infinity" and "NaN" (the
 * spellings float() and pandas parse), keeping the JSON valid, and the report's `warnings`
 * names each key written that way.
 */

/** Keys named one by one in the warning; a per-row list of infinite losses is summarised after these. */
const MAX_NAMED_KEYS = 40;

/** The string a non-finite number is written as. */
export function nonFiniteText(value: number): string {
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

/**
 * A JSON.stringify replacer that writes non-finite numbers as strings and records the path of
 * each (`errorBars.crossEntropy.lower`, `identities[0].lhs`) in `written`.
 */
export function nonFiniteReplacer(written: string[]): (this: unknown, key: string, value: unknown) => unknown {
  // Each object's path, set when its holder is visited: JSON.stringify visits a holder's keys before descending.
  const paths = new WeakMap<object, string>();
  return function (this: unknown, key: string, value: unknown): unknown {
    const holder = this as object;
    const parent = paths.get(holder);
    const path = parent === undefined ? key : Array.isArray(holder) ? `${parent}[${key}]` : parent === '' ? key : `${parent}.${key}`;
    if (typeof value === 'number' && !Number.isFinite(value)) {
      written.push(path);
      return nonFiniteText(value);
    }
    if (typeof value === 'object' && value !== null) paths.set(value, parent === undefined ? '' : path);
    return value;
  };
}

/** The warning that names the keys written as strings. */
export function nonFiniteWarning(keys: readonly string[]): string {
  const named = keys.slice(0, MAX_NAMED_KEYS).join(', ');
  const more = keys.length > MAX_NAMED_KEYS ? ` and ${keys.length - MAX_NAMED_KEYS} more` : '';
  return `${keys.length === 1 ? 'this value is' : `these ${keys.length} values are`} not finite, written as the string "Infinity", "-Infinity" or "NaN" (JSON has no such numbers): ${named}${more}`;
}

/**
 * A report as the CLI prints it with --json: indented, non-finite numbers as strings, and
 * when there are any, a warning naming them appended to the report's `warnings`.
 */
export function reportJson(report: Record<string, unknown>): string {
  const written: string[] = [];
  const text = JSON.stringify(report, nonFiniteReplacer(written), 2);
  if (written.length === 0) return text;
  const warnings = Array.isArray(report.warnings) ? (report.warnings as unknown[]) : [];
  return JSON.stringify({ ...report, warnings: [...warnings, nonFiniteWarning(written)] }, nonFiniteReplacer([]), 2);
}
