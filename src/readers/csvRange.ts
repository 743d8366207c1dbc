import { closeSync, fstatSync, openSync } from 'node:fs';
import { readFileRange } from './byteSource';
import { LF, MAX_LINE_BYTES } from './csvRecords';

/** How far past a range's end one read looks for the line break that ends its last line. */
const LOOKAHEAD = 1 << 16;

/**
 * The lines of a file that start in [from, to), read by a thread of its own: ranges that tile
 * a file give each line to exactly one of them. A line starts at `from` when `fromIsLineStart`,
 * else just after the first line break at or after from - 1; the last line runs through its
 * line break (or to the end of the file). 'tooLong' when a line runs on past MAX_LINE_BYTES,
 * which the general parser must refuse with its line number. `memory` may hand out a buffer
 * used again from one call to the next (the bytes returned are a view of it).
 */
export function readOwnedLines(
  path: string,
  from: number,
  to: number,
  fromIsLineStart: boolean,
  memory: (length: number) => Uint8Array = (length) => new Uint8Array(length),
): { start: number; bytes: Uint8Array } | 'tooLong' {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    const begin = fromIsLineStart ? from : from - 1;
    let bytes = readFileRange(fd, begin, memory(Math.max(0, Math.min(size, to + LOOKAHEAD) - begin)));
    const more = () => {
      const end = begin + bytes.length;
      if (end >= size) return false;
      if (bytes.length - (to - begin) > MAX_LINE_BYTES) throw new LineTooLong();
      const next = readFileRange(fd, end, new Uint8Array(Math.min(size - end, Math.max(LOOKAHEAD, bytes.length))));
      const joined = new Uint8Array(bytes.length + next.length);
      joined.set(bytes);
      joined.set(next, bytes.length);
      bytes = joined;
      return true;
    };
    let start = 0;
    if (!fromIsLineStart) {
      let at = bytes.indexOf(LF);
      while (at < 0 && begin + bytes.length < to && more()) at = bytes.indexOf(LF);
      start = at < 0 ? bytes.length : at + 1;
    }
    if (begin + start >= to) return { start: begin + start, bytes: new Uint8Array(0) };
    let end = bytes.indexOf(LF, to - 1 - begin);
    while (end < 0 && more()) end = bytes.indexOf(LF, to - 1 - begin);
    return { start: begin + start, bytes: bytes.subarray(start, end < 0 ? bytes.length : end + 1) };
  } catch (error) {
    if (error instanceof LineTooLong) return 'tooLong';
    throw error;
  } finally {
    closeSync(fd);
  }
}

class LineTooLong extends Error {}
