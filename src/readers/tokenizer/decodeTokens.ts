import type { DecoderStep, TokenizerDefinition } from './tokenizerJson';

export interface DecodedTokens {
  /** What Hugging Face tokenizers' decode(ids) gives. */
  readonly text: string;
  /**
   * The text each id contributes, in order: pieces.join('') === text. A character whose bytes
   * come from several tokens belongs to the token holding its last byte (the others get ''), as
   * it appears when streaming; a skipped special token has ''.
   */
  readonly pieces: readonly string[];
}

export interface DecodeOptions {
  /** Leave out added tokens marked special (<s>, <|begin_of_text|>...), as decode(ids, skip_special_tokens=True). */
  readonly skipSpecialTokens?: boolean;
}

/**
 * Text owned by one input token. The decoder chain works on a list of strings ("segments");
 * some steps fuse them, so each segment keeps, per stretch of its text, the token it came from.
 */
interface Part {
  readonly owner: number;
  readonly text: string;
}

interface Segment {
  /** The token that started the segment: text added to an empty segment is its. */
  readonly owner: number;
  readonly parts: readonly Part[];
}

/** The piece of one id, or undefined for an id the tokenizer does not have. */
export function pieceOf(tokenizer: TokenizerDefinition, id: number): string | undefined {
  return Number.isInteger(id) && id >= 0 ? tokenizer.pieces[id] : undefined;
}

/**
 * Decodes ids as Hugging Face tokenizers does (tokenizer/mod.rs decode: the pieces, minus
 * skipped specials, through the decoder chain, joined), keeping which token each character
 * came from. Throws a RangeError naming the first id the tokenizer does not have.
 */
export function decodeTokens(tokenizer: TokenizerDefinition, ids: ArrayLike<number>, options: DecodeOptions = {}): DecodedTokens {
  let segments: Segment[] = [];
  for (let i = 0; i < ids.length; i++) {
    const piece = pieceOf(tokenizer, ids[i]!);
    if (piece === undefined) throw new RangeError(`token ${i}: id ${ids[i]} is not in the tokenizer's vocabulary of ${tokenizer.pieces.length}`);
    if (options.skipSpecialTokens && tokenizer.specialPieces.has(piece)) continue;
    segments.push({ owner: i, parts: [{ owner: i, text: piece }] });
  }
  if (tokenizer.decoder) segments = applyStep(tokenizer.decoder, segments);
  else segments = segments.map((segment, i) => (i === 0 ? segment : prepend(segment, ' ')));
  const pieces = new Array<string>(ids.length).fill('');
  for (const segment of segments) for (const part of segment.parts) pieces[part.owner] += part.text;
  return { text: pieces.join(''), pieces };
}

function applyStep(step: DecoderStep, segments: Segment[]): Segment[] {
  switch (step.type) {
    case 'Sequence':
      return step.decoders.reduce((current, inner) => applyStep(inner, current), segments);
    case 'ByteLevel':
      return byteLevel(segments);
    case 'ByteFallback':
      return byteFallback(segments);
    case 'Fuse':
      return segments.length === 0 ? [] : [{ owner: segments[0]!.owner, parts: segments.flatMap((s) => s.parts) }];
    case 'Strip':
      return segments.map((segment) => strip(segment, step.content, step.start, step.stop));
    case 'Replace':
      return segments.map((segment) => replaceMatches(segment, matchesOf(textOf(segment), step.pattern, step.content)));
    case 'Metaspace': {
      const dropFirst = step.prependScheme !== 'never';
      // Every replacement character of the first token is dropped, not only a leading one (metaspace.rs).
      return segments.map((segment, i) => ({
        owner: segment.owner,
        parts: segment.parts.map((p) => ({ owner: p.owner, text: p.text.split(step.replacement).join(i === 0 && dropFirst ? '' : ' ') })),
      }));
    }
    case 'WordPiece':
      return segments.map((segment, i) => {
        let out = segment;
        if (i !== 0) out = textOf(out).startsWith(step.prefix) ? replaceMatches(out, [{ start: 0, end: step.prefix.length, content: '' }]) : prepend(out, ' ');
        if (step.cleanup) for (const [find, content] of WORDPIECE_CLEANUP) out = replaceMatches(out, matchesOf(textOf(out), find, content));
        return out;
      });
    case 'BPE':
      return segments.map((segment, i) => replaceMatches(segment, matchesOf(textOf(segment), step.suffix, i === segments.length - 1 ? '' : ' ')));
  }
}

/** The WordPiece decoder's cleanup (wordpiece.rs), in its order. */
const WORDPIECE_CLEANUP: readonly (readonly [string, string])[] = [
  [' .', '.'],
  [' ?', '?'],
  [' !', '!'],
  [' ,', ','],
  [" ' ", "'"],
  [" n't", "n't"],
  [" 'm", "'m"],
  [' do not', " don't"],
  [" 's", "'s"],
  [" 've", "'ve"],
  [" 're", "'re"],
];

const textOf = (segment: Segment): string => segment.parts.map((p) => p.text).join('');

function prepend(segment: Segment, text: string): Segment {
  const [first, ...rest] = segment.parts;
  return { owner: segment.owner, parts: first ? [{ owner: first.owner, text: text + first.text }, ...rest] : [{ owner: segment.owner, text }] };
}

interface Match {
  readonly start: number;
  readonly end: number;
  readonly content: string;
}

/** Non-overlapping matches left to right, as Rust's str::replace takes them; empty regex matches are skipped. */
function matchesOf(text: string, pattern: string | RegExp, content: string): Match[] {
  const matches: Match[] = [];
  if (typeof pattern === 'string') {
    for (let at = text.indexOf(pattern); at >= 0; at = text.indexOf(pattern, at + pattern.length))
      matches.push({ start: at, end: at + pattern.length, content });
  } else {
    for (const m of text.matchAll(pattern)) if (m[0].length > 0) matches.push({ start: m.index!, end: m.index! + m[0].length, content });
  }
  return matches;
}

/**
 * The segment with each match (ascending, not overlapping, UTF-16 offsets into its text)
 * replaced by its content, owned by the token where the match starts; the rest keeps its owners.
 */
function replaceMatches(segment: Segment, matches: readonly Match[]): Segment {
  if (matches.length === 0) return segment;
  const { parts } = segment;
  const out: Part[] = [];
  let part = 0;
  let partStart = 0;
  // Copies text [from, to) part by part; parts before `from` are passed over for good.
  const copy = (from: number, to: number) => {
    while (part < parts.length && partStart + parts[part]!.text.length <= from) partStart += parts[part++]!.text.length;
    for (let p = part, start = partStart; p < parts.length && start < to; start += parts[p++]!.text.length) {
      const { owner, text } = parts[p]!;
      const piece = text.slice(Math.max(from, start) - start, Math.min(to, start + text.length) - start);
      if (piece) out.push({ owner, text: piece });
    }
  };
  const ownerAt = (offset: number): number => {
    while (part < parts.length && partStart + parts[part]!.text.length <= offset) partStart += parts[part++]!.text.length;
    return (parts[part] ?? parts[parts.length - 1])?.owner ?? segment.owner;
  };
  let position = 0;
  for (const m of matches) {
    copy(position, m.start);
    if (m.content) out.push({ owner: ownerAt(m.start), text: m.content });
    position = m.end;
  }
  copy(position, Infinity);
  return { owner: segment.owner, parts: merged(out) };
}

/** Adjacent parts of one owner joined. */
function merged(parts: readonly Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (last && last.owner === p.owner) out[out.length - 1] = { owner: p.owner, text: last.text + p.text };
    else out.push(p);
  }
  return out;
}

/** Removes up to `start` leading and `stop` trailing `content` characters (strip.rs, counted in characters). */
function strip(segment: Segment, content: string, start: number, stop: number): Segment {
  const chars = [...textOf(segment)];
  let startCut = 0;
  while (startCut < Math.min(start, chars.length) && chars[startCut] === content) startCut++;
  let stopCut = chars.length;
  while (chars.length - stopCut < Math.min(stop, chars.length - startCut) && chars[stopCut - 1] === content) stopCut--;
  if (startCut === 0 && stopCut === chars.length) return segment;
  const units = (n: number) => chars.slice(0, n).join('').length;
  const total = units(chars.length);
  const matches: Match[] = [];
  if (startCut > 0) matches.push({ start: 0, end: units(startCut), content: '' });
  if (stopCut < chars.length) matches.push({ start: units(stopCut), end: total, content: '' });
  return replaceMatches(segment, matches);
}

const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2}|\+[0-9A-Fa-f])>$/;

/**
 * Runs of "<0xNN>" tokens become the text of their bytes when those are valid UTF-8, else one
 * U+FFFD per byte (byte_fallback.rs). (Rust's from_str_radix also takes "+A" for 0x0A.)
 */
function byteFallback(segments: Segment[]): Segment[] {
  const out: Segment[] = [];
  let bytes: number[] = [];
  let owners: number[] = [];
  const flush = () => {
    if (bytes.length === 0) return;
    const parts: Part[] = [];
    const valid = decodeUtf8(bytes, owners, (text, owner) => parts.push({ owner, text }));
    if (valid) out.push({ owner: owners[0]!, parts: merged(parts) });
    else for (const owner of owners) out.push({ owner, parts: [{ owner, text: '\ufffd' }] });
    bytes = [];
    owners = [];
  };
  for (const segment of segments) {
    const byte = BYTE_TOKEN.exec(textOf(segment));
    if (byte) {
      bytes.push(parseInt(byte[1]!, 16));
      owners.push(segment.owner);
      continue;
    }
    flush();
    out.push(segment);
  }
  flush();
  return out;
}

/** GPT-2's bytes_to_unicode, reversed: the printable character standing for each byte. */
const CHAR_TO_BYTE: ReadonlyMap<number, number> = (() => {
  const map = new Map<number, number>();
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    map.set(printable ? b : 256 + shifted++, b);
  }
  return map;
})();

const encoder = new TextEncoder();

/**
 * All segments become one: each token's characters are mapped back to the bytes they stand for
 * (a token with any other character is taken as its own UTF-8 bytes, as byte_level.rs does for
 * added tokens), and the bytes are decoded as UTF-8 with U+FFFD for each invalid stretch.
 */
function byteLevel(segments: Segment[]): Segment[] {
  if (segments.length === 0) return [];
  const bytes: number[] = [];
  const owners: number[] = [];
  for (const segment of segments) {
    const mapped = [...textOf(segment)].every((c) => CHAR_TO_BYTE.has(c.codePointAt(0)!));
    for (const part of segment.parts) {
      if (mapped) {
        for (const c of part.text) {
          bytes.push(CHAR_TO_BYTE.get(c.codePointAt(0)!)!);
          owners.push(part.owner);
        }
      } else {
        for (const b of encoder.encode(part.text)) {
          bytes.push(b);
          owners.push(part.owner);
        }
      }
    }
  }
  const parts: Part[] = [];
  decodeUtf8(bytes, owners, (text, owner) => parts.push({ owner, text }));
  return [{ owner: segments[0]!.owner, parts: merged(parts) }];
}

/**
 * UTF-8 decoding as Rust's from_utf8_lossy (and the WHATWG decoder): each maximal invalid
 * subpart becomes one U+FFFD. Every character goes to `emit` with the owner of its last byte.
 * Returns whether the bytes were valid throughout.
 */
function decodeUtf8(bytes: readonly number[], owners: readonly number[], emit: (text: string, owner: number) => void): boolean {
  let valid = true;
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      emit(String.fromCharCode(lead), owners[i]!);
      i++;
      continue;
    }
    let need: number;
    let codePoint: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      need = 1;
      codePoint = lead & 0x1f;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      need = 2;
      codePoint = lead & 0x0f;
      if (lead === 0xe0) lower = 0xa0;
      if (lead === 0xed) upper = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      need = 3;
      codePoint = lead & 0x07;
      if (lead === 0xf0) lower = 0x90;
      if (lead === 0xf4) upper = 0x8f;
    } else {
      emit('\ufffd', owners[i]!);
      valid = false;
      i++;
      continue;
    }
    let j = i + 1;
    while (need > 0 && j < bytes.length && bytes[j]! >= lower && bytes[j]! <= upper) {
      codePoint = (codePoint << 6) | (bytes[j]! & 0x3f);
      lower = 0x80;
      upper = 0xbf;
      need--;
      j++;
    }
    if (need === 0) {
      emit(String.fromCodePoint(codePoint), owners[j - 1]!);
    } else {
      emit('\ufffd', owners[j - 1]!);
      valid = false;
    }
    i = j;
  }
  return valid;
}
