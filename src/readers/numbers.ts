/** Parsing of one numeric cell the way NumPy and pandas users expect. */

const NAN_SPELLINGS = new Set(['nan', 'na', 'n/a', 'null', 'none', '#n/a']);
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Empty cells and NaN spellings give NaN; `undefined` means "not a number at all". */
export function parseNumber(raw: string, decimalComma = false): number | undefined {
  let text = raw.trim();
  if (text === '') return Number.NaN;
  if (decimalComma) text = text.replace(',', '.');
  if (DECIMAL.test(text)) return Number(text);
  const lower = text.toLowerCase();
  if (NAN_SPELLINGS.has(lower)) return Number.NaN;
  const unsigned = lower.replace(/^[+-]/, '');
  if (unsigned === 'inf' || unsigned === 'infinity') return lower.startsWith('-') ? -Infinity : Infinity;
  if (lower === 'true') return 1;
  if (lower === 'false') return 0;
  return undefined;
}
