import type { ScientificNumber } from './logSpace';

/** A number for display in LaTeX: `1.2346\times 10^{-5}`, `\infty`, `\mathrm{NaN}`. */
export function latexNumber(value: number, digits = 6): string {
  if (Number.isNaN(value)) return '\\mathrm{NaN}';
  if (value === Infinity) return '\\infty';
  if (value === -Infinity) return '-\\infty';
  if (value === 0) return '0';
  const text = plainNumber(value, digits);
  const match = /^(-?[\d.]+)e([+-]\d+)$/.exec(text);
  return match ? `${match[1]}\\times 10^{${Number(match[2])}}` : text;
}

/** A number as plain text with `digits` significant digits, trailing zeros dropped. */
export function plainNumber(value: number, digits = 6): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  const text = magnitude >= 1e-4 && magnitude < 1e9 ? value.toPrecision(digits) : value.toExponential(digits - 1);
  return text.replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1');
}

export function latexScientific({ mantissa, exponent }: ScientificNumber, digits = 4): string {
  if (mantissa === 0) return '0';
  return `${plainNumber(mantissa, digits)}\\times 10^{${exponent}}`;
}

export function plainScientific({ mantissa, exponent }: ScientificNumber, digits = 4): string {
  if (mantissa === 0) return '0';
  return `${plainNumber(mantissa, digits)} x 10^${exponent}`;
}

/** Text from a file (a column or tensor name, a place) made safe inside \text{...}: LaTeX's special characters are escaped, so a name such as `\rule{40em}{6em}` is shown, not drawn. */
export function latexText(text: string): string {
  return text.replace(/[\\{}$&#^_%~]/g, (ch) =>
    ch === '\\' ? '\\textbackslash{}' : ch === '^' ? '\\textasciicircum{}' : ch === '~' ? '\\textasciitilde{}' : `\\${ch}`,
  );
}
