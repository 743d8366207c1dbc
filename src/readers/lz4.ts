/**
 * LZ4 block decoding for Parquet pages: LZ4_RAW (one bare block) and the older LZ4 codec as
 * Hadoop frames it (big-endian sizes in front of each block), as Arrow reads them. Every length
 * read from the input is checked against what is left of the input and of the output before it is
 * used, so a corrupt page fails with one message and never writes or loops past its bounds.
 */

const MIN_MATCH = 4;

export class Lz4Error extends Error {}

/**
 * Decodes one LZ4 block into output[start..]; returns the bytes written. Matches may reach back
 * to output[floor..]: the block's own start, or earlier for the linked blocks of an LZ4 frame.
 */
export function decodeLz4Block(input: Uint8Array, output: Uint8Array, start = 0, floor = start): number {
  let read = 0;
  let write = start;
  const fail = (reason: string): never => {
    throw new Lz4Error(`LZ4 block: ${reason} (input byte ${read})`);
  };
  const length = (base: number): number => {
    let total = base;
    if (base !== 15) return total;
    for (;;) {
      if (read >= input.length) fail('a length runs past the end of the block');
      const more = input[read++]!;
      total += more;
      // More than the whole output is already wrong; stop before the count grows without bound.
      if (total > output.length) fail(`a length of over ${output.length} bytes, more than the page holds`);
      if (more !== 255) return total;
    }
  };
  if (input.length === 0) fail('the block is empty');
  for (;;) {
    const token = input[read++]!;
    const literals = length(token >> 4);
    if (literals > input.length - read) fail(`${literals} literal bytes run past the end of the block`);
    if (literals > output.length - write) fail(`${literals} literal bytes overflow the page's ${output.length} bytes`);
    output.set(input.subarray(read, read + literals), write);
    read += literals;
    write += literals;
    if (read === input.length) return write - start;
    if (read + 2 > input.length) fail('a match offset runs past the end of the block');
    const offset = input[read]! | (input[read + 1]! << 8);
    read += 2;
    if (offset === 0) fail('a match offset of 0');
    if (offset > write - floor) fail(`a match offset of ${offset} reaches before the start of the output (${write - floor} bytes written)`);
    const match = length(token & 0x0f) + MIN_MATCH;
    if (match > output.length - write) fail(`a match of ${match} bytes overflows the page's ${output.length} bytes`);
    // Byte by byte: a match may overlap the bytes it is copying (a run of offset 1).
    for (let from = write - offset, end = write + match; write < end;) output[write++] = output[from++]!;
  }
}

/** LZ4_RAW: one block that decompresses to exactly `outputLength` bytes. */
export function decodeLz4Raw(input: Uint8Array, outputLength: number): Uint8Array {
  const output = new Uint8Array(outputLength);
  const written = decodeLz4Block(input, output);
  if (written !== outputLength) throw new Lz4Error(`LZ4 block: ${written} bytes decoded where the page declares ${outputLength}`);
  return output;
}

const readU32BE = (bytes: Uint8Array, at: number) => ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;

/**
 * Parquet's LZ4 codec: Hadoop's framing (per block: decompressed size, compressed size, both
 * 32-bit big-endian, then the block), falling back to one bare block as older parquet-cpp wrote it.
 */
export function decodeLz4Hadoop(input: Uint8Array, outputLength: number): Uint8Array {
  const output = new Uint8Array(outputLength);
  let read = 0;
  let write = 0;
  let framed = input.length >= 8;
  while (framed && read + 8 <= input.length) {
    const decompressed = readU32BE(input, read);
    const compressed = readU32BE(input, read + 4);
    if (compressed > input.length - read - 8 || decompressed > outputLength - write) {
      framed = false;
      break;
    }
    const block = input.subarray(read + 8, read + 8 + compressed);
    let written: number;
    try {
      written = decodeLz4Block(block, output.subarray(0, write + decompressed), write);
    } catch {
      framed = false;
      break;
    }
    if (written !== decompressed) {
      framed = false;
      break;
    }
    read += 8 + compressed;
    write += decompressed;
  }
  if (framed && read === input.length && write === outputLength) return output;
  return decodeLz4Raw(input, outputLength);
}

const LZ4_FRAME_MAGIC = 0x184d2204;
const readU32LE = (bytes: Uint8Array, at: number) => (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;

/**
 * An LZ4 frame (the format of the lz4 command and of Arrow's LZ4_FRAME buffers) that decodes to
 * exactly `outputLength` bytes: its blocks, compressed or stored, linked or independent. Checksums
 * are skipped, not verified; dictionaries are refused.
 */
export function decodeLz4Frame(input: Uint8Array, outputLength: number): Uint8Array {
  const fail = (reason: string, at: number): never => {
    throw new Lz4Error(`LZ4 frame: ${reason} (input byte ${at})`);
  };
  if (input.length < 7 || readU32LE(input, 0) !== LZ4_FRAME_MAGIC) fail('no frame magic number 04 22 4d 18', 0);
  const flags = input[4]!;
  if (flags >> 6 !== 1) fail(`frame version ${flags >> 6}, not 1`, 4);
  if (flags & 0x01) fail('the frame needs a dictionary', 4);
  const blockChecksum = (flags & 0x10) !== 0;
  let read = 6 + (flags & 0x08 ? 8 : 0) + 1;
  const output = new Uint8Array(outputLength);
  let write = 0;
  for (;;) {
    if (read + 4 > input.length) fail('the frame ends before its end mark', read);
    const word = readU32LE(input, read);
    read += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    if (size > input.length - read) fail(`a block of ${size} bytes runs past the end of the frame`, read);
    const block = input.subarray(read, read + size);
    if (word & 0x80000000) {
      if (size > outputLength - write) fail(`a stored block of ${size} bytes overflows the ${outputLength} declared`, read);
      output.set(block, write);
      write += size;
    } else write += decodeLz4Block(block, output, write, 0);
    read += size + (blockChecksum ? 4 : 0);
  }
  if (write !== outputLength) fail(`${write} bytes decoded where ${outputLength} are declared`, read);
  return output;
}
