import { CompensatedSum } from './compensatedSum';
import { LOG_MIN_DOUBLE } from './logSpace';
import type { Histogram, RunningMean, Series } from './series';

/**
 * Plot statistics of a stream of per-sample losses in bounded memory, whatever the number of
 * rows: the per-sample series (each bucket's extremes), the running mean with its 95% band,
 * a histogram, the worst rows and a few rows near the mean. Rows arrive in file order. While
 * there are fewer rows than points, every row is kept exactly.
 */
export class LossSketch {
  static readonly fineBins = 4096;
  private static readonly z95 = 1.959963984540054;

  private count = 0;
  // Per-sample series: buckets of `bucketSize` rows, each keeping its lowest and highest loss.
  private bucketSize = 1;
  private firstRow = 0;
  private readonly buckets: { loRow: number; lo: number; hiRow: number; hi: number }[] = [];
  // Running mean: a point every `step` rows, plus each stretch's lowest and highest mean.
  private step = 1;
  private readonly running: { n: number; mean: number; half: number }[] = [];
  private stretchLow: { n: number; mean: number; half: number } | undefined;
  private stretchHigh: { n: number; mean: number; half: number } | undefined;
  private readonly sum = new CompensatedSum();
  private welfordMean = 0;
  private m2 = 0;
  // Histogram: fine bins over [lo, lo + bins * width), the range doubled as values fall outside.
  private readonly fine = new Float64Array(LossSketch.fineBins);
  private lo = 0;
  private width = 0;
  private infinite = 0;
  private min = Infinity;
  private max = -Infinity;
  // The worst rows, largest loss first.
  private readonly worst: { row: number; loss: number }[] = [];

  constructor(
    private readonly maxPoints = 4000,
    private readonly runningPoints = 2000,
    private readonly keepWorst = 10,
  ) {}

  /** The first row after which exp(-sum of losses), a float64 product of the likelihoods, is 0. */
  underflowRow: number | undefined;

  add(loss: number, row: number): void {
    const count = ++this.count;
    if (this.underflowRow === undefined && -(this.sum.value + loss) < LOG_MIN_DOUBLE) this.underflowRow = row;
    this.addToSeries(loss, row);
    this.addToRunningMean(loss, count);
    this.addToHistogram(loss);
    this.addToWorst(loss, row);
  }

  get rows(): number {
    return this.count;
  }

  private addToSeries(loss: number, row: number): void {
    if (this.buckets.length === 0) this.firstRow = row;
    const last = this.buckets[this.buckets.length - 1];
    if (last && Math.floor((row - this.firstRow) / this.bucketSize) === this.buckets.length - 1) {
      if (loss < last.lo || (Number.isNaN(last.lo) && !Number.isNaN(loss))) {
        last.lo = loss;
        last.loRow = row;
      }
      if (loss > last.hi || (Number.isNaN(last.hi) && !Number.isNaN(loss))) {
        last.hi = loss;
        last.hiRow = row;
      }
      return;
    }
    this.buckets.push({ loRow: row, lo: loss, hiRow: row, hi: loss });
    // A one-row bucket draws one point, a wider one two (its extremes).
    if (this.buckets.length > (this.bucketSize === 1 ? this.maxPoints : this.maxPoints / 2)) this.halveBuckets();
  }

  /** Merges neighbouring buckets: the series keeps its extremes at half the resolution. */
  private halveBuckets(): void {
    const merged: typeof this.buckets = [];
    for (let i = 0; i < this.buckets.length; i += 2) {
      const a = this.buckets[i]!;
      const b = this.buckets[i + 1];
      if (!b) {
        merged.push(a);
        continue;
      }
      merged.push({
        loRow: b.lo < a.lo ? b.loRow : a.loRow,
        lo: Math.min(a.lo, b.lo),
        hiRow: b.hi > a.hi ? b.hiRow : a.hiRow,
        hi: Math.max(a.hi, b.hi),
      });
    }
    this.buckets.length = 0;
    this.buckets.push(...merged);
    this.bucketSize *= 2;
  }

  private addToRunningMean(loss: number, count: number): void {
    this.sum.add(loss);
    // Welford's update: a sum of squares minus n mean^2 cancels badly for large, close losses.
    const delta = loss - this.welfordMean;
    this.welfordMean += delta / count;
    this.m2 += delta * (loss - this.welfordMean);
    const mean = this.sum.value / count;
    const variance = count > 1 ? Math.max(0, this.m2 / (count - 1)) : 0;
    const point = { n: count, mean, half: LossSketch.z95 * Math.sqrt(variance / count) };
    if (!this.stretchLow || mean < this.stretchLow.mean) this.stretchLow = point;
    if (!this.stretchHigh || mean > this.stretchHigh.mean) this.stretchHigh = point;
    if (count % this.step !== 0) return;
    // Keep the stretch's extremes too, so the jump an extreme loss makes survives.
    for (const p of [this.stretchLow, this.stretchHigh, point].sort((a, b) => a.n - b.n)) {
      if (this.running[this.running.length - 1]?.n !== p.n) this.running.push(p);
    }
    this.stretchLow = undefined;
    this.stretchHigh = undefined;
    if (this.running.length > this.runningPoints) {
      // Thin out: every other point, and twice the step from now on; the curve's highest and
      // lowest points always stay, so the jump an extreme loss makes is never thinned away.
      let highest = 0;
      let lowest = 0;
      this.running.forEach((p, index) => {
        if (p.mean > this.running[highest]!.mean) highest = index;
        if (p.mean < this.running[lowest]!.mean) lowest = index;
      });
      const kept = this.running.filter((_, index) => index % 2 === 1 || index === highest || index === lowest);
      this.running.length = 0;
      this.running.push(...kept);
      this.step *= 2;
    }
  }

  private addToHistogram(loss: number): void {
    if (loss === Infinity) {
      this.infinite++;
      return;
    }
    if (!Number.isFinite(loss)) return;
    if (loss < this.min) this.min = loss;
    if (loss > this.max) this.max = loss;
    if (this.width === 0) {
      // First finite value: a range that starts at it and spans a power of two.
      this.lo = Math.floor(loss);
      this.width = 2 ** Math.ceil(Math.log2(Math.max(1, Math.abs(loss) + 1))) / LossSketch.fineBins;
    }
    while (loss >= this.lo + this.width * LossSketch.fineBins) this.growRange(false);
    while (loss < this.lo) this.growRange(true);
    const bin = Math.min(LossSketch.fineBins - 1, Math.floor((loss - this.lo) / this.width));
    this.fine[bin]!++;
  }

  /** Doubles the range (to the right, or to the left) by merging neighbouring bins. */
  private growRange(left: boolean): void {
    const bins = LossSketch.fineBins;
    const merged = new Float64Array(bins);
    const offset = left ? bins / 2 : 0;
    for (let i = 0; i < bins; i += 2) merged[offset + i / 2] = this.fine[i]! + this.fine[i + 1]!;
    this.fine.set(merged);
    if (left) this.lo -= this.width * bins;
    this.width *= 2;
  }

  private addToWorst(loss: number, row: number): void {
    const worst = this.worst;
    if (worst.length === this.keepWorst && !(loss > worst[worst.length - 1]!.loss)) return;
    let at = worst.length;
    while (at > 0 && loss > worst[at - 1]!.loss) at--;
    worst.splice(at, 0, { row, loss });
    if (worst.length > this.keepWorst) worst.pop();
  }

  perSampleSeries(): Series {
    const x: number[] = [];
    const y: (number | null)[] = [];
    const drawable = (v: number) => (Number.isFinite(v) ? v : null);
    for (const bucket of this.buckets) {
      const points = bucket.loRow === bucket.hiRow ? [[bucket.loRow, bucket.lo]] : bucket.loRow < bucket.hiRow ? [[bucket.loRow, bucket.lo], [bucket.hiRow, bucket.hi]] : [[bucket.hiRow, bucket.hi], [bucket.loRow, bucket.lo]];
      for (const [row, value] of points) {
        x.push(row!);
        y.push(drawable(value!));
      }
    }
    return { x, y };
  }

  runningMean(): RunningMean {
    const points = [...this.running];
    // The last row always ends the curve at the final mean.
    for (const p of [this.stretchLow, this.stretchHigh].filter((p) => p !== undefined).sort((a, b) => a!.n - b!.n)) {
      if (points[points.length - 1]?.n !== p!.n) points.push(p!);
    }
    if (this.count > 0 && points[points.length - 1]?.n !== this.count) {
      const variance = this.count > 1 ? Math.max(0, this.m2 / (this.count - 1)) : 0;
      points.push({ n: this.count, mean: this.sum.value / this.count, half: LossSketch.z95 * Math.sqrt(variance / this.count) });
    }
    const drawable = (v: number) => (Number.isFinite(v) ? v : null);
    return {
      n: points.map((p) => p.n),
      mean: points.map((p) => drawable(p.mean)),
      lower: points.map((p) => drawable(p.mean - p.half)),
      upper: points.map((p) => drawable(p.mean + p.half)),
    };
  }

  /**
   * Equal-width bins between the smallest and largest finite loss, their number chosen by the
   * Freedman-Diaconis rule (10 to 100), built from the fine bins: counts are exact, edges fall
   * on fine-bin boundaries.
   */
  histogram(): Histogram {
    const total = this.fine.reduce((a, b) => a + b, 0);
    if (total === 0) return { edges: [], counts: [], infinite: this.infinite };
    const first = Math.max(0, Math.floor((this.min - this.lo) / this.width));
    const last = Math.min(LossSketch.fineBins - 1, Math.floor((this.max - this.lo) / this.width));
    const span = last - first + 1;
    const iqr = this.quantile(0.75, total) - this.quantile(0.25, total);
    const fdWidth = iqr > 0 ? (2 * iqr) / Math.cbrt(total) : 0;
    const wanted = fdWidth > 0 ? Math.min(100, Math.max(10, Math.ceil((this.max - this.min) / fdWidth))) : 10;
    const group = Math.max(1, Math.ceil(span / wanted));
    const edges: number[] = [];
    const counts: number[] = [];
    for (let start = first; start <= last; start += group) {
      let count = 0;
      for (let i = start; i < Math.min(start + group, last + 1); i++) count += this.fine[i]!;
      edges.push(this.lo + start * this.width);
      counts.push(count);
    }
    edges.push(this.lo + Math.min(first + counts.length * group, LossSketch.fineBins) * this.width);
    return { edges, counts, infinite: this.infinite };
  }

  /** Approximate quantile from the fine bins (linear within a bin). */
  private quantile(q: number, total: number): number {
    const target = q * total;
    let seen = 0;
    for (let i = 0; i < LossSketch.fineBins; i++) {
      const count = this.fine[i]!;
      if (seen + count >= target && count > 0) return this.lo + (i + (target - seen) / count) * this.width;
      seen += count;
    }
    return this.max;
  }

  worstRows(): { row: number; loss: number }[] {
    return [...this.worst];
  }
}
