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
    throw new DataFileError(file, current, describeError(error));
  }
}
