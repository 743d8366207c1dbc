import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readOwnedLines } from '../../../src/readers/csvRange';
import { parsePlainLines, plainRecordParser } from '../../../src/readers/csvRecords';
import { random } from '../../helpers/random';

const dir = mkdtempSync(join(tmpdir(), 'likelihood-lens-ranges-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Lines of 0 to `longest` bytes (some empty, some ending in CR), the last one with or without its line break. */
function text(seed: number, lines: number, longest: number): string {
  const next = random(seed);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const length = Math.floor(next() ** 3 * longest);
    out.push('x'.repeat(length) + (next() < 0.1 ? '\r' : ''));
  }
  return out.join('\n') + (next() < 0.5 ? '\n' : '');
}

describe('lines owned by byte ranges', () => {
  it('ranges that tile a file give each line to exactly one of them, whole and in order', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const content = text(seed, 60, seed % 4 === 0 ? 400 : 30);
      const path = join(dir, `tile-${seed}.csv`);
      writeFileSync(path, content);
      const next = random(1000 + seed);
      const first = content.indexOf('\n') + 1;
      let joined = '';
      let expectedStart = first;
      for (let from = first; from < content.length;) {
        const to = Math.min(content.length, from + 1 + Math.floor(next() * 50));
        const owned = readOwnedLines(path, from, to, from === first);
        assert.notEqual(owned, 'tooLong');
        if (owned === 'tooLong') return;
        const bytes = Buffer.from(owned.bytes).toString('latin1');
        if (bytes.length > 0) {
          assert.equal(owned.start, expectedStart, `seed ${seed}: [${from}, ${to}) starts where the last range ended`);
          assert.ok(owned.start === first || content[owned.start - 1] === '\n', `seed ${seed}: starts at a line start`);
          assert.ok(owned.start < to, `seed ${seed}: starts inside its range`);
          assert.ok(bytes.endsWith('\n') || owned.start + bytes.length === content.length, `seed ${seed}: ends with its line`);
          expectedStart = owned.start + bytes.length;
        }
        joined += bytes;
        from = to;
      }
      assert.equal(joined, content.slice(first), `seed ${seed}`);
    }
  });

  it('parses the lines a range owns, counting lines from its first byte', () => {
    const path = join(dir, 'numbers.csv');
    writeFileSync(path, 'a,b\n1,2\n\n3,4\r\n5,6');
    const owned = readOwnedLines(path, 4, 8, true);
    assert.notEqual(owned, 'tooLong');
    if (owned === 'tooLong') return;
    const layout = { width: 2, delimiter: 0x2c, decimalComma: false, fields: [1, 0] };
    const parsed = parsePlainLines(owned.bytes, layout, plainRecordParser(layout));
    assert.deepEqual(Array.from(parsed.values), [2, 1]);
    const rest = readOwnedLines(path, 8, 20, false);
    if (rest === 'tooLong') throw new Error('tooLong');
    const tail = parsePlainLines(rest.bytes, layout);
    assert.deepEqual(Array.from(tail.values), [4, 3, 6, 5]);
    assert.deepEqual(Array.from(tail.lines), [2, 3]);
    assert.equal(tail.lineBreaks, 2);
  });
});
