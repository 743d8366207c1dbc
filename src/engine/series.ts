import { CompensatedSum } from './compensatedSum';

/** An x/y series ready to plot; `null` marks a value that cannot be drawn (infinite loss). */
export interface Series {
  readonly x: number[];
  readonly y: (number | null)[];
}

const drawable = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * At most about `maxPoints` points of y against the row index, keeping each bucket's minimum
 * and maximum so spikes survive downsampling.
 */
export function downsampleExtremes(values: ArrayLike<number>, maxPoints = 4000): Series {
  const n = values.length;
  const x: number[] = [];
  const y: (number | null)[] = [];
  if (n <= maxPoints) {
    for (let i = 0; i < n; i++) {
      x.push(i);
      y.push(drawable(values[i]!));
    }
    return { x, y };
  }
  const buckets = Math.floor(maxPoints / 2);
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    let lo = start;
    let hi = start;
    for (let i = start + 1; i < end; i++) {
      const v = values[i]!;
      // An infinite loss is the most extreme value there is: let it win the bucket's maximum.
      if (v > values[hi]! || (Number.isNaN(values[hi]!) && !Number.isNaN(v))) hi = i;
      if (v < values[lo]!) lo = i;
    }
    for (const i of lo <= hi ? [lo, hi] : [hi, lo]) {
      if (x[x.length - 1] === i) continue;
      x.push(i);
      y.push(drawable(values[i]!));
    }
  }
  return { x, y };
}

/** The running mean of the per-sample loss over the first n rows, with a 95% normal band. */
export interface RunningMean {
  /** Row count n (1-based) at each point. */
  readonly n: number[];
  readonly mean: (number | null)[];
  readonly lower: (number | null)[];
  readonly upper: (number | null)[];
}

const Z95 = 1.959963984540054;

export function runningMean(values: ArrayLike<number>, maxPoints = 2000): RunningMean {
  const total = values.length;
  const result: RunningMean = { n: [], mean: [], lower: [], upper: [] };
  if (total === 0) return result;
  const step = Math.max(1, Math.ceil(total / maxPoints));
  const sum = new CompensatedSum();
  const squares = new CompensatedSum();
  for (let i = 0; i < total; i++) {
    const v = values[i]!;
    sum.add(v);
    squares.add(v * v);
    const count = i + 1;
    if (count % step !== 0 && count !== total) continue;
    const mean = sum.value / count;
    const variance = count > 1 ? Math.max(0, (squares.value - count * mean * mean) / (count - 1)) : 0;
    const half = Z95 * Math.sqrt(variance / count);
    result.n.push(count);
    result.mean.push(drawable(mean));
    result.lower.push(drawable(mean - half));
    result.upper.push(drawable(mean + half));
  }
  return result;
}

export interface Histogram {
  /** Left edges of the bins, then the right edge of the last one. */
  readonly edges: number[];
  readonly counts: number[];
  /** Values that could not be binned: +Infinity losses. */
  readonly infinite: number;
}

/** Equal-width bins over the finite values, the count chosen by the Freedman-Diaconis rule (10 to 100 bins). */
export function histogram(values: ArrayLike<number>): Histogram {
  const finite: number[] = [];
  let infinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) finite.push(v);
    else if (v === Infinity) infinite++;
  }
  if (finite.length === 0) return { edges: [], counts: [], infinite };
  const sorted = Float64Array.from(finite).sort();
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  const iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
  const width = iqr > 0 ? (2 * iqr) / Math.cbrt(sorted.length) : 0;
  const bins = width > 0 ? Math.min(100, Math.max(10, Math.ceil((max - min) / width))) : 10;
  const span = max > min ? max - min : 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of sorted) counts[Math.min(bins - 1, Math.floor(((v - min) / span) * bins))]!++;
  const edges = Array.from({ length: bins + 1 }, (_, b) => min + (b * span) / bins);
  return { edges, counts, infinite };
}

function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (position - lo);
}

/** Indices of the k largest values, largest first (infinite losses first of all). */
export function worstRows(values: ArrayLike<number>, k = 10): number[] {
  const order: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (order.length === k && !(v > values[order[k - 1]!]!)) continue;
    let at = order.length;
    while (at > 0 && v > values[order[at - 1]!]!) at--;
    order.splice(at, 0, i);
    if (order.length > k) order.pop();
  }
  return order;
}
