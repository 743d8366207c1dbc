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
  const result = { n: [] as number[], mean: [] as (number | null)[], lower: [] as (number | null)[], upper: [] as (number | null)[] };
  if (total === 0) return result;
  // Up to three points per bucket: its lowest and highest running mean, so the jump an extreme
  // loss makes survives downsampling, and its last row.
  const bucket = Math.max(1, Math.ceil((3 * total) / maxPoints));
  const sum = new CompensatedSum();
  // Welford's update for the variance: a running sum of squares minus n mean^2 cancels badly
  // when the losses are large and close together.
  let welfordMean = 0;
  let m2 = 0;
  let low: [number, number, number] | undefined;
  let high: [number, number, number] | undefined;
  const push = ([count, mean, half]: [number, number, number]): void => {
    if (result.n[result.n.length - 1] === count) return;
    result.n.push(count);
    result.mean.push(drawable(mean));
    result.lower.push(drawable(mean - half));
    result.upper.push(drawable(mean + half));
  };
  for (let i = 0; i < total; i++) {
    const v = values[i]!;
    const count = i + 1;
    sum.add(v);
    const delta = v - welfordMean;
    welfordMean += delta / count;
    m2 += delta * (v - welfordMean);
    const mean = sum.value / count;
    const variance = count > 1 ? Math.max(0, m2 / (count - 1)) : 0;
    const point: [number, number, number] = [count, mean, Z95 * Math.sqrt(variance / count)];
    if (!low || mean < low[1]) low = point;
    if (!high || mean > high[1]) high = point;
    if (count % bucket !== 0 && count !== total) continue;
    const points = [low, high, point].sort((a, b) => a[0] - b[0]);
    for (const p of points) push(p);
    low = undefined;
    high = undefined;
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
