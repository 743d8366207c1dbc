import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebviewLoadWatchdog } from '../../../src/panel/webviewLoad';

/** A clock the test moves by hand, and a page that records what the watchdog did to it. */
function harness(deadlines: readonly number[], visible = true) {
  let now = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  let next = 1;
  const events: string[] = [];
  const page = {
    visible,
    isVisible: () => page.visible,
    reload: (attempt: number) => events.push(`reload ${attempt} at ${now}`),
    giveUp: (attempts: number) => events.push(`give up after ${attempts} at ${now}`),
  };
  const watchdog = new WebviewLoadWatchdog(page, deadlines, {
    setTimeout: (callback, ms) => {
      timers.set(next, { at: now + ms, callback });
      return next++;
    },
    clearTimeout: (handle) => timers.delete(handle as number),
  });
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, timer]) => timer.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].callback();
    }
    now = until;
  };
  return { watchdog, page, events, advance, pending: () => timers.size };
}

describe('a webview page that never says it is ready', () => {
  it('is set again after each deadline, then given up on', () => {
    const { events, advance, pending } = harness([100, 200, 400]);
    advance(10_000);
    assert.deepEqual(events, ['reload 1 at 100', 'reload 2 at 300', 'give up after 3 at 700']);
    assert.equal(pending(), 0);
  });

  it('is left alone once it says it is ready, even by a reloaded page', () => {
    const { watchdog, events, advance, pending } = harness([100, 200, 400]);
    advance(150);
    watchdog.ready();
    advance(10_000);
    assert.deepEqual(events, ['reload 1 at 100']);
    assert.equal(pending(), 0);
  });

  it('is not reloaded while hidden: its clock starts when it is shown', () => {
    const { watchdog, page, events, advance } = harness([100, 200], false);
    advance(1_000);
    assert.deepEqual(events, []);
    page.visible = true;
    watchdog.visibilityChanged();
    advance(99);
    assert.deepEqual(events, []);
    advance(1);
    assert.deepEqual(events, ['reload 1 at 1100']);
    // Hidden again part way through the next load: the deadline is counted afresh when shown.
    advance(150);
    page.visible = false;
    watchdog.visibilityChanged();
    advance(1_000);
    assert.deepEqual(events, ['reload 1 at 1100']);
  });

  it('stops watching when the panel closes', () => {
    const { watchdog, events, advance, pending } = harness([100, 200]);
    watchdog.dispose();
    watchdog.visibilityChanged();
    advance(1_000);
    assert.deepEqual(events, []);
    assert.equal(pending(), 0);
  });
});
