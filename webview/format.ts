import { plainNumber } from '../src/engine/format';

/** Numbers as the panel shows them, with typographic minus and infinity signs. */
export function formatNumber(value: number, digits = 6): string {
  if (value === Infinity) return '\u221e';
  if (value === -Infinity) return '\u2212\u221e';
  return plainNumber(value, digits).replace('-', '\u2212');
}
