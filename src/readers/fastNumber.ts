import { parseNumber } from './numbers';

/** Exact powers of ten: every one up to 1e22 is a double, so one multiply or divide rounds correctly. */
export const POWERS = Array.from({ length: 23 }, (_, k) => 10 ** k);
const latin1 = new TextDecoder('latin1');
/** Digits accumulated as a double are exact up to here. */
export const MAX_EXACT = 2 ** 53;

/**
 * Parses the number in bytes[start, end) without making a string, for the common plain form
 * [+-]digits[.digits][e[+-]digits]. The result is the double Number() gives: the digits form an
 * integer up to 2^53 and the power of ten is at most 22, so one correctly rounded operation
 * yields it (Clinger's fast path). Anything else (17 significant digits, NaN spellings, words)
 * falls back to the general parser. Returns undefined when the cell is not a number.
 */
export function parseNumberBytes(bytes: Uint8Array, start: number, end: number, decimalComma: boolean): number | undefined {
  while (start < end && (bytes[start] === 0x20 || bytes[start] === 0x09)) start++;
  while (end > start && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x09)) end--;
  if (start === end) return Number.NaN;
  let i = start;
  let negative = false;
  const first = bytes[i]!;
  if (first === 0x2d || first === 0x2b) {
    negative = first === 0x2d;
    i++;
  }
  let mantissa = 0;
  let fraction = 0;
  let sawDigit = false;
  let c = bytes[i];
  while (c !== undefined && i < end && c >= 0x30 && c <= 0x39) {
    mantissa = mantissa * 10 + (c - 0x30);
    sawDigit = true;
    c = bytes[++i];
  }
  const point = decimalComma ? 0x2c : 0x2e;
  if (i < end && c === point) {
    c = bytes[++i];
    while (c !== undefined && i < end && c >= 0x30 && c <= 0x39) {
      mantissa = mantissa * 10 + (c - 0x30);
      fraction++;
      sawDigit = true;
      c = bytes[++i];
    }
  }
  let exponent = 0;
  if (sawDigit && i < end && (c === 0x65 || c === 0x45)) {
    let j = i + 1;
    let expNegative = false;
    if (bytes[j] === 0x2d || bytes[j] === 0x2b) {
      expNegative = bytes[j] === 0x2d;
      j++;
    }
    const expStart = j;
    while (j < end && bytes[j]! >= 0x30 && bytes[j]! <= 0x39 && j - expStart < 6) exponent = exponent * 10 + (bytes[j++]! - 0x30);
    if (j === expStart) return slow(bytes, start, end, decimalComma);
    if (expNegative) exponent = -exponent;
    i = j;
  }
  // Beyond 2^53 the digits were not accumulated exactly.
  if (!sawDigit || i !== end || mantissa > MAX_EXACT) return slow(bytes, start, end, decimalComma);
  const power = exponent - fraction;
  let value: number;
  if (power === 0) value = mantissa;
  else if (power > 0 && power <= 22) value = mantissa * POWERS[power]!;
  else if (power < 0 && power >= -22) value = mantissa / POWERS[-power]!;
  else return slow(bytes, start, end, decimalComma);
  return negative ? -value : value;
}

function slow(bytes: Uint8Array, start: number, end: number, decimalComma: boolean): number | undefined {
  return parseNumber(latin1.decode(bytes.subarray(start, end)), decimalComma);
}
