/**
 * The bundled samples, copied where the user can open, edit and keep them: the extension's own
 * files are read-only in an installed extension and replaced by every update.
 */
import { constants } from 'node:fs';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The folder a copy goes into, inside the workspace folder or the extension's storage. */
export const SAMPLES_FOLDER = 'likelihood-lens-samples';

/** The sample the command opens. */
export const SAMPLE_FILE = 'classifier.csv';

/**
 * Copies every file of `samples` into `target` (made if missing) and returns the copy of the
 * sample to open. A file already there is left as it is: it may be the user's edit of an earlier copy.
 */
export async function copySamples(samples: string, target: string): Promise<string> {
  await mkdir(target, { recursive: true });
  const entries = await readdir(samples, { withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    try {
      await copyFile(join(samples, entry.name), join(target, entry.name), constants.COPYFILE_EXCL);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return join(target, SAMPLE_FILE);
}
