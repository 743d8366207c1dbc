import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PAGE_RELOADS, PageReloads } from '../../../src/panel/webviewLoad';

function recorder(maxReloads?: number) {
  const events: string[] = [];
  const reloads = new PageReloads(
    { reload: (attempt) => events.push(`reload ${attempt}`), giveUp: (failures) => events.push(`give up after ${failures}`) },
    maxReloads,
  );
  return { reloads, events };
}

describe('a webview page whose script could not be fetched', () => {
  it('is set again each time, up to the limit, then the user is told once', () => {
    const { reloads, events } = recorder(2);
    for (let i = 0; i < 5; i++) reloads.failed();
    assert.deepEqual(events, ['reload 1', 'reload 2', 'give up after 3']);
  });

  it('is set again up to three times by default', () => {
    const { reloads, events } = recorder();
    for (let i = 0; i < MAX_PAGE_RELOADS; i++) reloads.failed();
    assert.deepEqual(events, ['reload 1', 'reload 2', 'reload 3']);
  });

  it('is never set again while it does not report a failure', () => {
    const { events } = recorder();
    assert.deepEqual(events, []);
  });
});
