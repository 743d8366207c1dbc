/**
 * The one error type every reader throws for a bad file. Its message is a single line that
 * names the file and the place (line/column, byte offset or tensor), ready for a notification
 * or for the CLI's stderr.
 */
export class DataFileError extends Error {
  override readonly name = 'DataFileError';

  constructor(
    readonly file: string,
    /** Human-readable place: "line 12, column 3", "byte 1024", "tensor 'logits'"; empty when the whole file is at fault. */
    readonly place: string,
    readonly reason: string,
  ) {
    super(oneLine(`${file}${place ? `: ${place}` : ''}: ${reason}`));
  }
}

/**
 * Text from a file (a cell, a pickle global, a member name) can hold line breaks; they are shown
 * escaped so the message stays one line whatever the file contains.
 */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) =>
    char === '\n' ? '\\n' : char === '\r' ? '\\r' : char === '\t' ? '\\t' : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Names longer than this are cut in messages: a file can name a column with a megabyte. */
const MAX_SHOWN_NAME = 200;

/**
 * A name a file chose (a column, tensor, archive member, header key) quoted for a message:
 * control characters and line breaks escaped, a long name cut. Every message that shows such a
 * name goes through this or listNames.
 */
export function quoteName(name: string): string {
  const shown = name.length > MAX_SHOWN_NAME ? `${name.slice(0, MAX_SHOWN_NAME)}...` : name;
  return `'${oneLine(shown)}'`;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Bytes from a file (a cell that is not a number) quoted for a message: decoded as UTF-8, the
 * encoding every text reader here takes (an invalid byte shows as U+FFFD, never as another
 * character), at most `maxBytes` of them, cut before a character rather than through it.
 */
export function quoteBytes(bytes: Uint8Array, maxBytes = 40): string {
  let end = Math.min(bytes.length, maxBytes);
  // A byte 10xxxxxx continues a character: back off to where that character starts.
  if (end < bytes.length) while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return quoteName(utf8.decode(bytes.subarray(0, end)));
}

/** Names joined by commas, each bare unless a comma, quote, space at an end or control character would make the list ambiguous. */
export function listNames(names: readonly string[]): string {
  // eslint-disable-next-line no-control-regex
  const ambiguous = /[,'"\u0000-\u001f\u007f-\u009f\u2028\u2029]|^\s|\s$|^$/;
  return names.map((name) => (ambiguous.test(name) || name.length > MAX_SHOWN_NAME ? quoteName(name) : name)).join(', ');
}

/** A read past the end of a file or source: its message is ours, so it can be shown as it is. */
export class ShortReadError extends RangeError {
  override readonly name: string = 'ShortReadError';
}

/** zlib's error codes in words (Node's own messages name zlib's internals). */
const ZLIB_REASONS: Record<string, string> = {
  Z_DATA_ERROR: 'is corrupt',
  Z_BUF_ERROR: 'ends early',
  Z_NEED_DICT: 'needs a preset dictionary',
  Z_STREAM_ERROR: 'is corrupt',
  ERR_BUFFER_TOO_LARGE: 'decompresses to more than it declares',
};

/**
 * What went wrong, in this reader's words, for something a library or the runtime threw while
 * reading a file: their messages name their internals ("Cannot read properties of undefined",
 * "parquet unsupported encoding: 9", "invalid distance too far back") and are not shown. Our own
 * short reads, the system's errors (EIO: i/o error, read) and JSON.parse's description of bad
 * JSON are kept.
 */
export function foreignReason(error: unknown, data = 'the compressed data'): string {
  if (error instanceof DataFileError) return error.reason;
  if (error instanceof ShortReadError) return error.message;
  if (error instanceof SyntaxError) return describeError(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in ZLIB_REASONS) return `${data} ${ZLIB_REASONS[code]!}`;
  // The system's own failures (EIO, EMFILE, ENOENT) say what the user can act on.
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) && typeof (error as { syscall?: unknown }).syscall === 'string') return describeError(error);
  if (error instanceof RangeError && /allocation|array length|buffer size/i.test(error.message)) return 'not enough memory for the data it declares';
  return 'the data is damaged';
}

/** A one-line message for anything thrown, without a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n', 1)[0] ?? error.name;
  return String(error).split('\n', 1)[0] ?? 'unknown error';
}

/**
 * Runs a reader that reports where it is; anything it throws that is not a DataFileError (a
 * failed allocation, an unexpected short read) still becomes one line at the last place reported.
 */
export async function readingAt<T>(file: string, read: (at: (where: string) => void) => Promise<T>): Promise<T> {
  let current = 'byte 0';
  try {
    return await read((where) => {
      current = where;
    });
  } catch (error) {
    if (error instanceof DataFileError) throw error;
    throw new DataFileError(file, current, foreignReason(error));
  }
}
