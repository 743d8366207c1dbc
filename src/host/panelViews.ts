/**
 * What each file's loss panel shows without a new pass (the unit, the reduction, the sliders'
 * places), kept in the workspace state so a panel closed and opened again, or brought back
 * after a reload, shows the file as it was left. Free of `vscode`: it takes the Memento's two methods.
 */
import { parsePanelView, type PanelView } from '../protocol/webview';

export interface ViewMemento {
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
}

const keyOf = (fileUri: string) => `likelihoodLens.panelView:${fileUri}`;

export class PanelViews {
  constructor(private readonly memento: ViewMemento) {}

  /** The view kept for a file; anything stored that is not a view is dropped, not trusted. */
  get(fileUri: string): PanelView | undefined {
    const stored = this.memento.get(keyOf(fileUri));
    if (stored === undefined) return undefined;
    const view = parsePanelView(stored);
    return Object.keys(view).length > 0 ? view : undefined;
  }

  /** Keeps `view` for a file; an empty view forgets it. */
  set(fileUri: string, view: PanelView): PromiseLike<void> {
    return this.memento.update(keyOf(fileUri), Object.keys(view).length > 0 ? view : undefined);
  }
}
