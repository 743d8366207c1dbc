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
    super(`${file}${place ? `: ${place}` : ''}: ${reason}`);
  }
}

/** A one-line message for anything thrown, without a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n', 1)[0] ?? error.name;
  return String(error).split('\n', 1)[0] ?? 'unknown error';
}
