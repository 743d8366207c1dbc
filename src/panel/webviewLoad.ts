/**
 * Sets a webview's page again when its script could not be fetched (the page says so with
 * 'loadFailed', see LOAD_FAILURE_REPORTER in webviewHtml.ts), a bounded number of times. A page
 * that is merely slow is left alone: only a failed fetch is final.
 */

/** How many times a page is set again before the user is told. */
export const MAX_PAGE_RELOADS = 3;

export interface ReloadablePage {
  /** Sets the page's HTML again; `attempt` counts from 1. */
  reload(attempt: number): void;
  /** The page failed to load this many times. */
  giveUp(failures: number): void;
}

export class PageReloads {
  private failures = 0;

  constructor(
    private readonly page: ReloadablePage,
    private readonly maxReloads = MAX_PAGE_RELOADS,
  ) {}

  /** The page's script could not be fetched. */
  failed(): void {
    this.failures++;
    if (this.failures <= this.maxReloads) this.page.reload(this.failures);
    else if (this.failures === this.maxReloads + 1) this.page.giveUp(this.failures);
  }
}
