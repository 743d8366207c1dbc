/** Which file a restored loss panel may read: a pure check of the state its webview saved. */
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePanelState, type PanelState } from '../protocol/webview';

/**
 * The file a panel restored after a reload names, if it may be read: the saved state comes from
 * the webview, so it is trusted only when it parses, names a local file (scheme file, no host)
 * and that file lies inside one of the workspace folders (their file system paths).
 */
export function restorableFile(rawState: unknown, workspaceFolders: readonly string[]): { readonly path: string; readonly state: PanelState } | undefined {
  const state = parsePanelState(rawState);
  if (!state) return undefined;
  let path: string;
  try {
    const url = new URL(state.fileUri);
    // A host would make it a network share; fileURLToPath refuses encoded separators.
    if (url.protocol !== 'file:' || url.host !== '') return undefined;
    path = resolve(fileURLToPath(url));
  } catch {
    return undefined;
  }
  const inside = workspaceFolders.some((folder) => {
    const rest = relative(resolve(folder), path);
    return rest !== '' && rest.split(/[\\/]/)[0] !== '..' && !isAbsolute(rest);
  });
  return inside ? { path, state } : undefined;
}
