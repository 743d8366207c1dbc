import { isUtf8 } from 'node:buffer';
import { quoteBytes } from './errors';
import { MAX_EXACT, parseNumberBytes, POWERS } from './fastNumber';

/** What a plain-record parser needs of a CSV layout: plain data, so it can be sent to another thread. */
export interface CsvRecordLayout {
  /** Fields per record. */
  readonly width: number;
  /** The delimiter's byte. */
  readonly delimiter: number;
  readonly decimalComma: boolean;
  /** The fields to read, in output order. */
  readonly fields: readonly number[];
}

/** A record or cell that cannot be read; `field` is 0-based, absent when the whole record is wrong. */
export class CsvRecordError extends Error {
  constructor(
    readonly reason: string,
    readonly field?: number,
  ) {
    super(reason);
  }
}

/** A record or cell error at a line, counted from 1 within the bytes parsed. */
export class CsvLineError extends CsvRecordError {
  constructor(
    readonly line: number,
    reason: string,
    field?: number,
  ) {
    super(reason, field);
  }
}

export const LF = 0x0a;
export const CR = 0x0d;
export const QUOTE = 0x22;
/** A line longer than this is not a CSV of numbers; refusing it bounds memory. */
export const MAX_LINE_BYTES = 64 << 20;

const ZERO = 0x30;
const NINE = 0x39;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const COMMA = 0x2c;

/** Writes the wanted fields of the quote-free record bytes[start, end) to out[at ..]; throws a CsvRecordError. */
export type PlainRecordParser = (bytes: Uint8Array, start: number, end: number, out: Float64Array, at: number) => void;

/**
 * A parser of records without quotes: split and parsed in a single pass over the bytes, with
 * no string per field. The common cell, digits with an optional sign and decimal point, is
 * parsed inline (exact: an integer up to 2^53 divided by an exact power of ten); any other
 * cell goes to the general number parser.
 */
export function plainRecordParser(layout: CsvRecordLayout): PlainRecordParser {
  const { width, delimiter, decimalComma } = layout;
  const point = decimalComma ? COMMA : DOT;
  // Which output slot each field goes to (-1: not wanted).
  const slot = new Int32Array(width).fill(-1);
  layout.fields.forEach((field, index) => (slot[field] = index));
  return (bytes, start, end, out, at) => {
    let field = 0;
    let i = start;
    for (;;) {
      const target = field < width ? slot[field]! : -1;
      if (target < 0) {
        while (i < end && bytes[i] !== delimiter) i++;
      } else {
        const fieldStart = i;
        let c = bytes[i]!;
        let negative = false;
        if (c === MINUS || c === PLUS) {
          negative = c === MINUS;
          c = bytes[++i]!;
        }
        let mantissa = 0;
        let fraction = 0;
        let digits = false;
        while (i < end && c >= ZERO && c <= NINE) {
          mantissa = mantissa * 10 + (c - ZERO);
          digits = true;
          c = bytes[++i]!;
        }
        if (i < end && c === point) {
          c = bytes[++i]!;
          while (i < end && c >= ZERO && c <= NINE) {
            mantissa = mantissa * 10 + (c - ZERO);
            fraction++;
            digits = true;
            c = bytes[++i]!;
          }
        }
        let value: number | undefined;
        if (digits && (i === end || c === delimiter) && mantissa <= MAX_EXACT && fraction <= 22) {
          value = fraction === 0 ? mantissa : mantissa / POWERS[fraction]!;
          if (negative) value = -value;
        } else {
          while (i < end && bytes[i] !== delimiter) i++;
          value = parseNumberBytes(bytes, fieldStart, i, decimalComma);
          if (value === undefined) throw new CsvRecordError(`${quoteBytes(bytes.subarray(fieldStart, i))} is not a number`, field);
        }
        out[at + target] = value;
      }
      field++;
      if (i >= end) break;
      i++; // the delimiter
    }
    if (field !== width) throw new CsvRecordError(`expected ${width} fields, found ${field}`);
  };
}

export function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== 0x20 && bytes[i] !== 0x09) return false;
  return true;
}

/** Lines before the first one that is not UTF-8 (0-based count from the start of `bytes`). */
export function firstBadLine(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lineStart = 0;
  let lines = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== LF) continue;
    try {
      decoder.decode(bytes.subarray(lineStart, i));
    } catch {
      return lines;
    }
    lineStart = i + 1;
    lines++;
  }
  return lines;
}

/** The records of a run of whole lines with no quote character, parsed; lines count from 1. */
export interface PlainLines {
  readonly rows: number;
  /** rows x fields.length values, row-major. */
  readonly values: Float64Array;
  /** The line of each row, from 1 at the first byte. */
  readonly lines: Uint32Array;
  /** Line breaks in the bytes: how far the next run's lines are shifted. */
  readonly lineBreaks: number;
}

/**
 * Parses whole lines that hold no quote character (the caller checks): blank lines are
 * skipped, a CR before the LF is dropped, the last line may lack its LF. Throws a
 * CsvLineError naming the line. `memory` may hand out an array used again from one call to the
 * next (the values returned are then a view of it).
 */
export function parsePlainLines(
  bytes: Uint8Array,
  layout: CsvRecordLayout,
  parse: PlainRecordParser = plainRecordParser(layout),
  memory: (length: number) => Float64Array = (length) => new Float64Array(length),
): PlainLines {
  if (!isUtf8(bytes)) throw new CsvLineError(firstBadLine(bytes) + 1, 'not UTF-8 text; save the file as UTF-8');
  const m = layout.fields.length;
  // Rows are about as long as the first: room for a few more than that predicts, grown if short.
  const firstLine = bytes.indexOf(LF) + 1 || bytes.length;
  const capacity = Math.max(16, Math.ceil((1.25 * bytes.length) / Math.max(1, firstLine)));
  const into = { values: memory(capacity * m), lines: new Uint32Array(capacity), lineBreaks: 0 };
  const rows = parseLinesInto(bytes, m, parse, into);
  return { rows, values: into.values.subarray(0, rows * m), lines: into.lines.subarray(0, rows), lineBreaks: into.lineBreaks };
}

/**
 * parsePlainLines' loop: the rows into `into` (its arrays replaced when they grow), returning
 * their count. Nothing but the return follows the loop: V8 compiles a long loop while it runs,
 * and code after it that has not run yet would discard that code again at every call.
 */
function parseLinesInto(
  bytes: Uint8Array,
  m: number,
  parse: PlainRecordParser,
  into: { values: Float64Array; lines: Uint32Array; lineBreaks: number },
): number {
  let { values, lines } = into;
  let capacity = lines.length;
  let rows = 0;
  let line = 1;
  let pos = 0;
  while (pos < bytes.length) {
    let end = bytes.indexOf(LF, pos);
    const next = end < 0 ? bytes.length : end + 1;
    if (end < 0) end = bytes.length;
    let contentEnd = end;
    if (contentEnd > pos && bytes[contentEnd - 1] === CR) contentEnd--;
    if (!isBlank(bytes, pos, contentEnd)) {
      if (rows === capacity) {
        capacity *= 2;
        const grownValues = new Float64Array(capacity * m);
        grownValues.set(values);
        into.values = values = grownValues;
        const grownLines = new Uint32Array(capacity);
        grownLines.set(lines);
        into.lines = lines = grownLines;
      }
      try {
        parse(bytes, pos, contentEnd, values, rows * m);
      } catch (error) {
        if (error instanceof CsvRecordError) throw new CsvLineError(line, error.reason, error.field);
        throw error;
      }
      lines[rows++] = line;
    }
    if (end < bytes.length) into.lineBreaks = line++;
    pos = next;
  }
  return rows;
}

/** A text column whose rows are coded by value: the code of values[i] is i, of anything else values.length (at most 255). */
export interface CsvKeyColumn {
  readonly field: number;
  readonly values: readonly string[];
}

/** Codes a record's key fields: from its text fields, or from the bytes of an unquoted record. */
export class KeyCoder {
  private readonly codes: ReadonlyMap<string, number>[];
  /** Per key, its values' UTF-8 bytes by length: a field is matched on its bytes, decoded only when none is equal. */
  private readonly encoded: ReadonlyMap<number, readonly { readonly bytes: Uint8Array; readonly code: number }[]>[];
  private readonly decoder = new TextDecoder();
  private readonly lastField: number;
  private readonly firstField: number;

  constructor(
    readonly keys: readonly CsvKeyColumn[],
    readonly delimiter: number,
    /** Fields per record: with it, keys in the record's second half are found from its end. */
    private readonly width?: number,
  ) {
    if (keys.some((key) => key.values.length > 255)) throw new RangeError('a key column codes at most 255 values');
    this.codes = keys.map((key) => new Map(key.values.map((value, code) => [value, code])));
    this.lastField = Math.max(-1, ...keys.map((key) => key.field));
    this.firstField = Math.min(...keys.map((key) => key.field));
    const encoder = new TextEncoder();
    this.encoded = keys.map((key) => {
      const byLength = new Map<number, { bytes: Uint8Array; code: number }[]>();
      key.values.forEach((value, code) => {
        const bytes = encoder.encode(value);
        byLength.set(bytes.length, [...(byLength.get(bytes.length) ?? []), { bytes, code }]);
      });
      return byLength;
    });
  }

  /** The code of the value whose bytes equal bytes[from, to), or -1. */
  private matchBytes(key: number, bytes: Uint8Array, from: number, to: number): number {
    const candidates = this.encoded[key]!.get(to - from);
    if (!candidates) return -1;
    next: for (const candidate of candidates) {
      for (let i = 0; i < candidate.bytes.length; i++) if (candidate.bytes[i] !== bytes[from + i]) continue next;
      return candidate.code;
    }
    return -1;
  }

  codeOf(key: number, text: string): number {
    return this.codes[key]!.get(text.trim()) ?? this.keys[key]!.values.length;
  }

  /** Writes each key's code of the unquoted record bytes[start, end) (its fields already checked) at out[key][row]. */
  codePlain(bytes: Uint8Array, start: number, end: number, out: readonly Uint8Array[], row: number): void {
    // One byte loop finds every key's field: a call to indexOf per field costs more than the scan.
    const { keys, delimiter, width } = this;
    if (width !== undefined && 2 * this.firstField >= width) {
      let field = width - 1;
      let to = end;
      for (let i = end - 1; i >= start - 1; i--) {
        if (i >= start && bytes[i] !== delimiter) continue;
        for (let key = 0; key < keys.length; key++) {
          if (keys[key]!.field !== field) continue;
          const matched = this.matchBytes(key, bytes, i + 1, to);
          out[key]![row] = matched >= 0 ? matched : this.codeOf(key, this.decoder.decode(bytes.subarray(i + 1, to)));
        }
        field--;
        to = i;
        if (field < this.firstField) return;
      }
      return;
    }
    let field = 0;
    let from = start;
    for (let i = start; i <= end; i++) {
      if (i < end && bytes[i] !== delimiter) continue;
      for (let key = 0; key < keys.length; key++) {
        if (keys[key]!.field !== field) continue;
        const matched = this.matchBytes(key, bytes, from, i);
        out[key]![row] = matched >= 0 ? matched : this.codeOf(key, this.decoder.decode(bytes.subarray(from, i)));
      }
      field++;
      from = i + 1;
      if (field > this.lastField) return;
    }
  }

  /** The codes of `rows` unquoted records in bytes, found as parsePlainLines finds them (blank lines skipped, CR dropped). */
  codeLines(bytes: Uint8Array, rows: number): Uint8Array[] {
    const out = this.keys.map(() => new Uint8Array(rows));
    let row = 0;
    for (let pos = 0; pos < bytes.length && row < rows;) {
      let end = bytes.indexOf(LF, pos);
      const next = end < 0 ? bytes.length : end + 1;
      if (end < 0) end = bytes.length;
      let contentEnd = end;
      if (contentEnd > pos && bytes[contentEnd - 1] === CR) contentEnd--;
      if (!isBlank(bytes, pos, contentEnd)) this.codePlain(bytes, pos, contentEnd, out, row++);
      pos = next;
    }
    return out;
  }
}
