/**
 * Python's `\s` on str (the characters str.isspace() accepts), which lm-evaluation-harness splits
 * words on. JavaScript's `\s` differs: it takes U+FEFF and leaves out U+001C-U+001F and U+0085.
 */
// eslint-disable-next-line no-control-regex
const PYTHON_WHITESPACE = /[\t\n\v\f\r\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** len(re.split(r"\s+", text)): what lm-evaluation-harness counts as words (leading or trailing whitespace adds an empty one). */
export function wordCount(text: string): number {
  return text.split(PYTHON_WHITESPACE).length;
}

const encoder = new TextEncoder();

/** len(text.encode("utf-8")); a lone surrogate counts as the 3 bytes of U+FFFD it is written as. */
export function utf8ByteCount(text: string): number {
  return encoder.encode(text).length;
}

/** The size lm-evaluation-harness divides by for its per-byte and per-word perplexities. */
export function textSize(text: string): { readonly bytes: number; readonly words: number } {
  return { bytes: utf8ByteCount(text), words: wordCount(text) };
}
