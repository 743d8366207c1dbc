// Benchmark inputs: deterministic, written once, renamed into place only when whole.
import { closeSync, existsSync, openSync, renameSync, writeSync } from 'node:fs';

/** A fixed linear congruential generator: the same inputs on every machine. */
export function generator(seed) {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/** Writes `header` then `rows` lines from `line(i)` to `path`, unless it is already there. */
export function writeLines(path, header, rows, line) {
  if (existsSync(path)) return;
  // Written under another name and renamed when whole, so an interrupted run leaves no half file.
  const partial = `${path}.partial`;
  const fd = openSync(partial, 'w');
  let chunk = `${header}\n`;
  for (let i = 0; i < rows; i++) {
    chunk += `${line(i)}\n`;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
  renameSync(partial, path);
}
