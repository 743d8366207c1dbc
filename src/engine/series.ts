/** The plot series the analysis hands to the webview, filled by the streaming LossSketch. */

/** An x/y series ready to plot; `null` marks a value that cannot be drawn (infinite loss). */
export interface Series {
  readonly x: number[];
  readonly y: (number | null)[];
}

/** The running mean of the per-sample loss over the first n rows, with a 95% normal band. */
export interface RunningMean {
  /** Row count n (1-based) at each point. */
  readonly n: number[];
  readonly mean: (number | null)[];
  readonly lower: (number | null)[];
  readonly upper: (number | null)[];
}

export interface Histogram {
  /** Left edges of the bins, then the right edge of the last one. */
  readonly edges: number[];
  readonly counts: number[];
  /** Values that could not be binned: +Infinity losses. */
  readonly infinite: number;
}
