/**
 * LZ4 block decoding for Parquet pages: LZ4_RAW (one bare block) and the older LZ4 codec as
 * Hadoop frames it (big-endian sizes in front of each block), as Arrow reads them. Every length
 * read from the input is checked against what is left of the input and of the output before it is
 * used, so a corrupt page fails with one message and never writes or loops past its bounds.
 */

const MIN_MATCH = 4;

export class Lz4Error extends Error {}

/** Decodes one LZ4 block into output[start..]; returns the bytes written. */
export function decodeLz4Block(input: Uint8Array, output: Uint8Array, start = 0): number {
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
    if (offset > write - start) fail(`a match offset of ${offset} reaches before the start of the output (${write - start} bytes written)`);
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
