import type { Histogram, RunningMean } from '../series';
import { Z_95 } from './pairedComparison';

/** At most this many points in the scatter of A's loss against B's: a canvas shows no more. */
export const MAX_SCATTER_POINTS = 4000;
/** Bins of the histogram of differences. */
export const DIFFERENCE_BINS = 40;
/** Points of the running mean: every n up to DENSE_RUNNING, then spaced evenly in log n. */
const DENSE_RUNNING = 50;
const MAX_RUNNING_POINTS = 300;
/** Rows kept each way by difference, and at each end of A's and B's losses, before the even sample. */
const EXTREMES_KEPT = 200;

/** The paired per-row losses plotted: row indices in the files, and each model's loss there. */
export interface PairedRows {
  readonly rows: ArrayLike<number>;
  readonly lossA: ArrayLike<number>;
  readonly lossB: ArrayLike<number>;
}

/** The rows drawn in the scatter, in row order; `total` rows were compared. */
export interface ScatterSample {
  readonly rows: number[];
  readonly lossA: (number | null)[];
  readonly lossB: (number | null)[];
  readonly total: number;
}

/**
 * At most `max` of the rows, keeping those a reader looks for first: the largest differences
 * each way and the extremes of each model's loss; the rest of the budget is spread evenly over
 * the rows so the bulk keeps its shape. Deterministic, so a rerun draws the same points.
 */
export function scatterSample(paired: PairedRows, max = MAX_SCATTER_POINTS): ScatterSample {
  const n = paired.rows.length;
  const take = (indices: Iterable<number>): ScatterSample => {
    const sorted = [...indices].sort((x, y) => x - y);
    const drawable = (v: number) => (Number.isFinite(v) ? v : null);
    return {
      rows: sorted.map((i) => paired.rows[i]!),
      lossA: sorted.map((i) => drawable(paired.lossA[i]!)),
      lossB: sorted.map((i) => drawable(paired.lossB[i]!)),
      total: n,
    };
  };
  if (n <= max) return take(Array.from({ length: n }, (_, i) => i));
  const kept = new Set<number>();
  // Bounded heaps in one pass: no sort of every row.
  const perEnd = Math.min(EXTREMES_KEPT, Math.floor(max / 12));
  const perLoss = Math.max(1, Math.floor(perEnd / 4));
  const heaps = [
    new LargestValues(perEnd),
    new LargestValues(perEnd),
    new LargestValues(perLoss),
    new LargestValues(perLoss),
    new LargestValues(perLoss),
    new LargestValues(perLoss),
  ];
  const [differenceHigh, differenceLow, aHigh, aLow, bHigh, bLow] = heaps as [
    LargestValues,
    LargestValues,
    LargestValues,
    LargestValues,
    LargestValues,
    LargestValues,
  ];
  const { lossA, lossB } = paired;
  for (let i = 0; i < n; i++) {
    const a = lossA[i]!;
    const b = lossB[i]!;
    const d = a - b;
    differenceHigh.offer(d, i);
    differenceLow.offer(-d, i);
    aHigh.offer(a, i);
    aLow.offer(-a, i);
    bHigh.offer(b, i);
    bLow.offer(-b, i);
  }
  for (const heap of heaps) for (const row of heap.rows()) kept.add(row);
  const remaining = max - kept.size;
  // An even stride over the row order, skipping rows already kept; stops at the budget.
  const stride = n / Math.max(1, remaining);
  for (let k = 0; k < remaining && kept.size < max; k++) kept.add(Math.min(n - 1, Math.floor(k * stride)));
  return take(kept);
}

/**
 * The rows of the k largest values offered, in typed arrays: a min-heap whose smallest value is
 * the bar a new value must clear, so a row that does not enter costs one comparison.
 */
class LargestValues {
  private readonly values: Float64Array;
  private readonly rowsHeld: Float64Array;
  private size = 0;

  constructor(private readonly k: number) {
    this.values = new Float64Array(k);
    this.rowsHeld = new Float64Array(k);
  }

  offer(value: number, row: number): void {
    // NaN fails every comparison, so it never enters.
    if (this.size < this.k) {
      if (!(value === value)) return;
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.values[parent]! <= value) break;
        this.values[i] = this.values[parent]!;
        this.rowsHeld[i] = this.rowsHeld[parent]!;
        i = parent;
      }
      this.values[i] = value;
      this.rowsHeld[i] = row;
      return;
    }
    if (!(value > this.values[0]!)) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.size) break;
      const right = left + 1;
      const child = right < this.size && this.values[right]! < this.values[left]! ? right : left;
      if (this.values[child]! >= value) break;
      this.values[i] = this.values[child]!;
      this.rowsHeld[i] = this.rowsHeld[child]!;
      i = child;
    }
    this.values[i] = value;
    this.rowsHeld[i] = row;
  }

  rows(): number[] {
    return Array.from(this.rowsHeld.subarray(0, this.size));
  }
}

/**
 * A histogram of the finite differences in `bins` equal bins between the smallest and largest,
 * binned as numpy.histogram(d, bins): edges lo + i x (hi - lo) / bins with the last at hi, each
 * bin half-open but the last, closed. Differences that are not finite are counted apart.
 */
export function differenceHistogram(differences: ArrayLike<number>, bins = DIFFERENCE_BINS): Histogram {
  let lo = Infinity;
  let hi = -Infinity;
  let infinite = 0;
  for (let i = 0; i < differences.length; i++) {
    const d = differences[i]!;
    if (!Number.isFinite(d)) infinite++;
    else {
      if (d < lo) lo = d;
      if (d > hi) hi = d;
    }
  }
  if (lo > hi) return { edges: [], counts: [], infinite };
  // numpy widens an empty range by 0.5 each way.
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const step = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : i * step + lo));
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < differences.length; i++) {
    const d = differences[i]!;
    if (!Number.isFinite(d)) continue;
    let bin = Math.min(bins - 1, Math.floor(((d - lo) / (hi - lo)) * bins));
    // The division can land one bin off an edge: settle it against the edges themselves, as numpy does.
    if (d < edges[bin]!) bin--;
    else if (bin < bins - 1 && d >= edges[bin + 1]!) bin++;
    counts[bin]!++;
  }
  return { edges, counts, infinite };
}

/** The n at which the running mean is drawn: 1..DENSE_RUNNING, then evenly in log n, always ending at n. */
export function runningPoints(n: number, maxPoints = MAX_RUNNING_POINTS): number[] {
  const points: number[] = [];
  const dense = Math.min(n, DENSE_RUNNING);
  for (let k = 1; k <= dense; k++) points.push(k);
  if (n <= dense) return points;
  const spaced = maxPoints - dense;
  const ratio = Math.log(n / dense) / spaced;
  for (let k = 1; k <= spaced; k++) {
    const next = Math.round(dense * Math.exp(ratio * k));
    if (next > points[points.length - 1]!) points.push(Math.min(n, next));
  }
  if (points[points.length - 1] !== n) points.push(n);
  return points;
}

/**
 * The mean of the first n differences as n grows, with mean +- 1.959964 x its standard error
 * (std ddof 1 / sqrt n; no band at n = 1): Welford's update, so each point costs nothing extra.
 */
export function differenceRunningMean(differences: ArrayLike<number>): RunningMean {
  const points = runningPoints(differences.length);
  const n: number[] = [];
  const mean: (number | null)[] = [];
  const lower: (number | null)[] = [];
  const upper: (number | null)[] = [];
  const drawable = (v: number) => (Number.isFinite(v) ? v : null);
  let count = 0;
  let running = 0;
  let m2 = 0;
  let next = 0;
  for (let i = 0; i < differences.length && next < points.length; i++) {
    const d = differences[i]!;
    count++;
    const delta = d - running;
    running += delta / count;
    m2 += delta * (d - running);
    if (count !== points[next]) continue;
    next++;
    const half = count > 1 ? Z_95 * Math.sqrt(Math.max(0, m2 / (count - 1)) / count) : Number.NaN;
    n.push(count);
    mean.push(drawable(running));
    lower.push(drawable(running - half));
    upper.push(drawable(running + half));
  }
  return { n, mean, lower, upper };
}
