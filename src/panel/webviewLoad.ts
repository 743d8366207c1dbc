/**
 * Loads a webview's page again when it never says it is ready. In VS Code for the Web
 * (code-server, Codespaces) a webview's scripts and styles are served by a service worker; a page
 * loaded in the moment after a window reload, before that worker controls it, fails to fetch them
 * (net::ERR_NAME_NOT_RESOLVED) and stays on its static "Reading the file…" text. Setting the same
 * HTML again loads the page anew, by then through the worker.
 */

/** How long each load may take before the page is set again; a slow machine gets longer each time. */
export const LOAD_DEADLINES_MS: readonly number[] = [4_000, 8_000, 16_000, 32_000];

export interface WatchedPage {
  /** Hidden webviews do not load; their clock runs only while shown. */
  isVisible(): boolean;
  /** Sets the page's HTML again. */
  reload(attempt: number): void;
  /** Every deadline passed without a ready page. */
  giveUp(attempts: number): void;
}

interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export class WebviewLoadWatchdog {
  private attempt = 0;
  private timer: unknown;
  private loaded = false;
  private stopped = false;

  constructor(
    private readonly page: WatchedPage,
    private readonly deadlines: readonly number[] = LOAD_DEADLINES_MS,
    private readonly timers: Timers = {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    },
  ) {
    this.arm();
  }

  /** The page said it is ready: nothing more to watch. */
  ready(): void {
    this.loaded = true;
    this.disarm();
  }

  /** Call on every change of the panel's visibility. */
  visibilityChanged(): void {
    if (this.page.isVisible()) this.arm();
    else this.disarm();
  }

  dispose(): void {
    this.stopped = true;
    this.disarm();
  }

  private arm(): void {
    if (this.loaded || this.stopped || this.timer !== undefined || !this.page.isVisible()) return;
    const deadline = this.deadlines[this.attempt];
    if (deadline === undefined) return;
    this.timer = this.timers.setTimeout(() => this.expired(), deadline);
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private expired(): void {
    this.timer = undefined;
    if (this.loaded || this.stopped) return;
    if (!this.page.isVisible()) return;
    this.attempt++;
    if (this.attempt >= this.deadlines.length) {
      this.page.giveUp(this.attempt);
      return;
    }
    this.page.reload(this.attempt);
    this.arm();
  }
}
