import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeLz4Block, decodeLz4Hadoop, decodeLz4Raw, Lz4Error } from '../../../src/readers/lz4';
import { fixturePath } from '../../helpers/fixtures';

/** The blocks of an LZ4 frame the lz4 command wrote with independent blocks and no checksums. */
function frameBlocks(frame: Uint8Array): { bytes: Uint8Array; stored: boolean }[] {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  assert.equal(view.getUint32(0, true), 0x184d2204, 'LZ4 frame magic');
  const flags = frame[4]!;
  let at = 6 + (flags & 0x08 ? 8 : 0) + (flags & 0x01 ? 4 : 0) + 1;
  const blocks = [];
  for (let size = view.getUint32(at, true); size !== 0; size = view.getUint32(at, true)) {
    const length = size & 0x7fffffff;
    blocks.push({ bytes: frame.subarray(at + 4, at + 4 + length), stored: (size & 0x80000000) !== 0 });
    at += 4 + length;
  }
  return blocks;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytesOf = (...parts: (number | string)[]) =>
  new Uint8Array(parts.flatMap((part) => (typeof part === 'string' ? [...new TextEncoder().encode(part)] : [part])));

describe('LZ4 block decoder', () => {
  it('decodes the blocks the lz4 command writes back to the original bytes', () => {
    const original = readFileSync(fixturePath('classifier', 'basic.csv'));
    const blocks = frameBlocks(readFileSync(fixturePath('parquet', 'basic_csv.lz4')));
    assert.ok(
      blocks.some((block) => !block.stored && block.bytes.length < original.length * 0.8),
      'the fixture has compressed blocks',
    );
    const output = new Uint8Array(original.length);
    let written = 0;
    for (const block of blocks) {
      if (block.stored) output.set(block.bytes, written);
      written += block.stored ? block.bytes.length : decodeLz4Block(block.bytes, output.subarray(0, Math.min(original.length, written + 65536)), written);
    }
    assert.equal(written, original.length);
    assert.deepEqual(Buffer.from(output), original);
  });

  it('copies a match that overlaps itself byte by byte (a run)', () => {
    // 1 literal 'a', a match at offset 1 of 3 + 4 bytes, then the last literal 'b'.
    assert.equal(text(decodeLz4Raw(bytesOf(0x13, 'a', 1, 0, 0x10, 'b'), 9)), 'aaaaaaaab');
    // A literal length of 15 + 255 + 3 continues in two bytes.
    const long = 'x'.repeat(273);
    assert.equal(text(decodeLz4Raw(bytesOf(0xf0, 255, 3, long), 273)), long);
  });

  it('refuses every length that does not fit, with one message', () => {
    const cases: [Uint8Array, number, RegExp][] = [
      [bytesOf(), 4, /the block is empty/],
      [bytesOf(0x13, 'a', 0, 0, 0x10, 'b'), 9, /a match offset of 0/],
      [bytesOf(0x13, 'a', 2, 0, 0x10, 'b'), 9, /a match offset of 2 reaches before the start of the output \(1 bytes written\)/],
      [bytesOf(0x50, 'ab'), 5, /5 literal bytes run past the end of the block/],
      [bytesOf(0x20, 'ab'), 1, /2 literal bytes overflow the page's 1 bytes/],
      [bytesOf(0x1f, 'a', 1, 0, 255, 255, 255, 0), 600, /a length of over 600 bytes/],
      [bytesOf(0x1f, 'a', 1, 0, 255), 600, /a length runs past the end of the block/],
      [bytesOf(0x13, 'a', 1, 0, 0x10, 'b'), 5, /a match of 7 bytes overflows the page's 5 bytes/],
      [bytesOf(0x13, 'a', 1), 9, /a match offset runs past the end of the block/],
      [bytesOf(0x10, 'a'), 2, /1 bytes decoded where the page declares 2/],
    ];
    for (const [block, size, message] of cases) {
      assert.throws(
        () => decodeLz4Raw(block, size),
        (error: unknown) => error instanceof Lz4Error && message.test(error.message),
        `${Array.from(block).join(',')} into ${size}`,
      );
    }
  });

  it("reads Hadoop's framing of several blocks, and a bare block as older writers left it", () => {
    const first = bytesOf(0x13, 'a', 1, 0, 0x10, 'b');
    const second = bytesOf(0x30, 'xyz');
    const framed = bytesOf(0, 0, 0, 9, 0, 0, 0, first.length, ...first, 0, 0, 0, 3, 0, 0, 0, second.length, ...second);
    assert.equal(text(decodeLz4Hadoop(framed, 12)), 'aaaaaaaabxyz');
    assert.equal(text(decodeLz4Hadoop(first, 9)), 'aaaaaaaab');
    assert.throws(() => decodeLz4Hadoop(bytesOf(0, 0, 0, 9, 0, 0, 0, 99, 0x10), 9), Lz4Error);
  });

  it('a damaged block either decodes within its page or is refused, never anything else', () => {
    const original = readFileSync(fixturePath('classifier', 'basic.csv'));
    const block = frameBlocks(readFileSync(fixturePath('parquet', 'basic_csv.lz4'))).find((candidate) => !candidate.stored)!.bytes;
    // A fixed linear congruential sequence: the same damage every run.
    let state = 20261203;
    const next = (bound: number) => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % bound;
    };
    let refused = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const damaged = Uint8Array.from(block.subarray(0, trial % 3 === 0 ? next(block.length) : block.length));
      for (let flips = 1 + next(4); flips > 0 && damaged.length > 0; flips--) damaged[next(damaged.length)] = next(256);
      try {
        assert.equal(decodeLz4Raw(damaged, original.length).length, original.length);
      } catch (error) {
        assert.ok(error instanceof Lz4Error, String(error));
        refused++;
      }
    }
    assert.ok(refused > 1000, `${refused} of 2000 refused`);
  });
});
