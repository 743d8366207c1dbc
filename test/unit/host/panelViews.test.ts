import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PanelViews, type ViewMemento } from '../../../src/host/panelViews';
import { parseWebviewMessage } from '../../../src/protocol/webview';

/** Workspace state as VS Code's Memento keeps it: JSON values by key. */
function memento(): ViewMemento & { readonly stored: Map<string, unknown> } {
  const stored = new Map<string, unknown>();
  return {
    stored,
    get: (key) => stored.get(key),
    update: async (key, value) => {
      if (value === undefined) stored.delete(key);
      else stored.set(key, JSON.parse(JSON.stringify(value)));
    },
  };
}

describe("each file's panel view in the workspace state", () => {
  it('keeps the unit, reduction and sliders per file URI, and forgets an empty view', async () => {
    const state = memento();
    const views = new PanelViews(state);
    await views.set('file:///w/a.csv', { unit: 'bits', reduction: 'sum', temperature: 2.5 });
    await views.set('file:///w/b.csv', { unit: 'digits' });
    // A new PanelViews over the same Memento: what a reloaded window sees.
    const reloaded = new PanelViews(state);
    assert.deepEqual(reloaded.get('file:///w/a.csv'), { unit: 'bits', reduction: 'sum', temperature: 2.5 });
    assert.deepEqual(reloaded.get('file:///w/b.csv'), { unit: 'digits' });
    assert.equal(reloaded.get('file:///w/c.csv'), undefined);
    await reloaded.set('file:///w/b.csv', {});
    assert.equal(reloaded.get('file:///w/b.csv'), undefined);
    assert.equal(state.stored.size, 1);
  });

  it('drops what is not a view, from the state or from the webview', async () => {
    const state = memento();
    state.stored.set('likelihoodLens.panelView:file:///w/a.csv', { unit: 'furlongs', reduction: 'sum', sigma: -1 });
    assert.deepEqual(new PanelViews(state).get('file:///w/a.csv'), { reduction: 'sum' });
    state.stored.set('likelihoodLens.panelView:file:///w/a.csv', 'bits');
    assert.equal(new PanelViews(state).get('file:///w/a.csv'), undefined);
    assert.deepEqual(parseWebviewMessage({ type: 'view', view: { unit: 'bits', temperature: 0, extra: 1 } }), { type: 'view', view: { unit: 'bits' } });
    assert.equal(parseWebviewMessage({ type: 'view', view: 'bits' }), undefined);
  });
});
