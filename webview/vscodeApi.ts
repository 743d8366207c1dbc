import { parsePanelState, type PanelState, type WebviewMessage } from '../src/protocol/webview';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The webview's only handle on the host, typed by the protocol. */
const api: VsCodeApi = acquireVsCodeApi();

export function post(message: WebviewMessage): void {
  api.postMessage(message);
}

export function saveState(state: PanelState): void {
  api.setState(state);
}

/** The state saved before a reload, or the one the host wrote into the page. */
export function loadState(): PanelState | undefined {
  const saved = parsePanelState(api.getState());
  if (saved) return saved;
  const initial = document.body.dataset.state;
  if (!initial) return undefined;
  try {
    return parsePanelState(JSON.parse(initial));
  } catch {
    return undefined;
  }
}
