/** Host-free helpers of the comparison panel: how its two files are named, and where a row of a text table is. */
import { basename } from 'node:path';

/**
 * The names the figures and errors use for A and B: the file names, or, when both files share a
 * name (npy_a/logits.npy against npy_b/logits.npy), their paths relative to the workspace.
 */
export function comparisonNames(pathA: string, pathB: string, relative: (path: string) => string): { readonly a: string; readonly b: string } {
  const a = basename(pathA);
  const b = basename(pathB);
  return a === b ? { a: relative(pathA), b: relative(pathB) } : { a, b };
}

/** Lines scanned at most to find a row: a huge file is not walked to its end for one click. */
const MAX_SCANNED_CHARACTERS = 512 * 2 ** 20;

/**
 * The 0-based line on which data row `row` (0-based, the header not counted) of a CSV/TSV text
 * starts: blank lines are skipped as the reader skips them, and a newline inside a quoted field
 * does not start a row. Undefined when the text has fewer rows.
 */
export function lineOfDataRow(text: string, row: number): number | undefined {
  let line = 0;
  // The index of the next record to start: 0 is the header, data row r is record r + 1.
  let record = 0;
  let atRecordStart = true;
  let quoted = false;
  const end = Math.min(text.length, MAX_SCANNED_CHARACTERS);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (atRecordStart) {
      if (c === 10 || c === 13) {
        // A blank line: no record starts here.
        if (c === 10) line++;
        continue;
      }
      atRecordStart = false;
      if (record === row + 1) return line;
      record++;
    }
    if (c === 34) quoted = !quoted;
    else if (c === 10) {
      line++;
      if (!quoted) atRecordStart = true;
    }
  }
  return undefined;
}
