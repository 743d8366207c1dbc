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
  // The rows [lastStart, lastEnd) of the last bucket, kept so a row needs no division to find it.
  private lastStart = 0;
  private lastEnd = 0;
  // Running mean: a point every `step` rows, plus each stretch's lowest and highest mean.
  private step = 1;
  /** The next row count that is a multiple of step. */
  private nextPoint = 1;
  private readonly running: { n: number; mean: number; half: number }[] = [];
  // The stretch's lowest and highest running mean as plain numbers (a row that moves them makes
  // no object): the row count, the mean and Welford's m2 then. lowN = 0: no row in the stretch.
  private lowN = 0;
  private lowMean = 0;
  private lowM2 = 0;
  private highN = 0;
  private highMean = 0;
  private highM2 = 0;
  private readonly sum = new CompensatedSum();
  private welfordMean = 0;
  private m2 = 0;
  // Histogram: fine bins over [lo, lo + bins * width), the range doubled as values fall outside.
  private readonly fine = new Float64Array(LossSketch.fineBins);
  private lo = 0;
  private width = 0;
  private inverseWidth = 0;
  private infinite = 0;
  private min = Infinity;
  private max = -Infinity;
  // The worst rows, largest loss first.
  private readonly worst: { row: number; loss: number }[] = [];
  /** The block add() hands to addRows. */
  private readonly one = new Float64Array(1);

  constructor(
    private readonly maxPoints = 4000,
    private readonly runningPoints = 2000,
    private readonly keepWorst = 10,
  ) {}

  /** The standard error of the mean loss: std (ddof 1, Welford's m2) / sqrt n; NaN below two rows or once a loss is infinite. */
  get standardError(): number {
    const { count, m2 } = this;
    return count < 2 || !Number.isFinite(m2) ? Number.NaN : Math.sqrt(m2 / (count - 1) / count);
  }

  /** The first row after which exp(-sum of losses), a float64 product of the likelihoods, is 0. */
  underflowRow: number | undefined;

  /** One row's loss: a block of one row, so there is one way to add a loss. */
  add(loss: number, row: number): void {
    this.one[0] = loss;
    this.addRows(this.one, row);
  }

  /**
   * The losses of the consecutive rows firstRow, firstRow + 1, ...: what add() would make of
   * them row by row, with each statistic in its own tight loop (a pass of a million rows
   * spends its time here otherwise).
   */
  addRows(losses: Float64Array, firstRow: number): void {
    // A loop per method, with nothing after it: see scoreRowsInto in rowScores.ts.
    this.addRowsToSeries(losses, firstRow);
    this.addRowsToRunningMean(losses, firstRow);
    this.addRangeToHistogram(losses);
    this.addRowsToWorst(losses, firstRow);
  }

  private addRowsToSeries(losses: Float64Array, firstRow: number): void {
    const n = losses.length;
    for (let i = 0; i < n;) {
      const row = firstRow + i;
      if (this.buckets.length === 0 || row < this.lastStart || row >= this.lastEnd) {
        this.addToSeries(losses[i]!, row);
        i++;
        continue;
      }
      const end = Math.min(n, this.lastEnd - firstRow);
      this.extendLastBucket(losses, i, end, firstRow);
      i = end;
    }
  }

  /**
   * The running mean (compensated sum, Welford's m2 for the band: a sum of squares minus n mean^2
   * cancels badly for large, close losses) and the stretch's extremes, with the sums in local
   * variables: a double passed to a method or kept in a field is a heap object in V8, and a
   * million rows would make millions. The fields are written back before the rare row that keeps
   * a point, at a multiple of the step (counted without an integer division per row).
   */
  private addRowsToRunningMean(losses: Float64Array, firstRow: number): void {
    const sum = this.sum;
    let total = sum.sum;
    let compensation = sum.compensation;
    let welfordMean = this.welfordMean;
    let m2 = this.m2;
    let count = this.count;
    let lowN = this.lowN;
    let lowMean = this.lowMean;
    let lowM2 = this.lowM2;
    let highN = this.highN;
    let highMean = this.highMean;
    let highM2 = this.highM2;
    let nextPoint = this.nextPoint;
    // Once the product has underflowed, the test is never made again.
    let underflowFound = this.underflowRow !== undefined;
    const n = losses.length;
    for (let i = 0; i < n; i++) {
      const loss = losses[i]!;
      count++;
      if (!underflowFound && -((Number.isFinite(total) ? total + compensation : total) + loss) < LOG_MIN_DOUBLE) {
        this.underflowRow = firstRow + i;
        underflowFound = true;
      }
      // CompensatedSum.add, inline.
      const next = total + loss;
      if (!Number.isFinite(next)) total = next;
      else {
        compensation += Math.abs(total) >= Math.abs(loss) ? total - next + loss : loss - next + total;
        total = next;
      }
      const delta = loss - welfordMean;
      welfordMean += delta / count;
      m2 += delta * (loss - welfordMean);
      const mean = (Number.isFinite(total) ? total + compensation : total) / count;
      if (lowN === 0 || mean < lowMean) {
        lowN = count;
        lowMean = mean;
        lowM2 = m2;
      }
      if (highN === 0 || mean > highMean) {
        highN = count;
        highMean = mean;
        highM2 = m2;
      }
      if (count === nextPoint) {
        sum.sum = total;
        sum.compensation = compensation;
        this.welfordMean = welfordMean;
        this.m2 = m2;
        this.count = count;
        this.lowN = lowN;
        this.lowMean = lowMean;
        this.lowM2 = lowM2;
        this.highN = highN;
        this.highMean = highMean;
        this.highM2 = highM2;
        this.keepPoint(count, mean);
        // keepPoint starts a new stretch and moves the next point.
        lowN = this.lowN;
        highN = this.highN;
        nextPoint = this.nextPoint;
      }
    }
    sum.sum = total;
    sum.compensation = compensation;
    this.welfordMean = welfordMean;
    this.m2 = m2;
    this.count = count;
    this.lowN = lowN;
    this.lowMean = lowMean;
    this.lowM2 = lowM2;
    this.highN = highN;
    this.highMean = highMean;
    this.highM2 = highM2;
  }

  private addRowsToWorst(losses: Float64Array, firstRow: number): void {
    const worst = this.worst;
    const keep = this.keepWorst;
    // A loss enters while the list is short, then only above its last (smallest) loss.
    let full = worst.length >= keep;
    let bar = full ? (worst[worst.length - 1]?.loss ?? Infinity) : 0;
    const n = losses.length;
    for (let i = 0; i < n; i++) {
      const loss = losses[i]!;
      if (full && !(loss > bar)) continue;
      this.addToWorst(loss, firstRow + i);
      full = worst.length >= keep;
      bar = full ? (worst[worst.length - 1]?.loss ?? Infinity) : 0;
    }
  }

  get rows(): number {
    return this.count;
  }

  /** Rows [from, to) of `losses`, all in the last bucket. */
  private extendLastBucket(losses: Float64Array, from: number, to: number, firstRow: number): void {
    const last = this.buckets[this.buckets.length - 1]!;
    let { lo, loRow, hi, hiRow } = last;
    for (let i = from; i < to; i++) {
      const loss = losses[i]!;
      // As in addToSeries: a NaN extreme gives way to any number.
      if (loss < lo || (lo !== lo && loss === loss)) {
        lo = loss;
        loRow = firstRow + i;
      }
      if (loss > hi || (hi !== hi && loss === loss)) {
        hi = loss;
        hiRow = firstRow + i;
      }
    }
    last.lo = lo;
    last.loRow = loRow;
    last.hi = hi;
    last.hiRow = hiRow;
  }

  /** addToHistogram for each loss, with the common case (a finite loss inside the range) inline. */
  private addRangeToHistogram(losses: Float64Array): void {
    const bins = LossSketch.fineBins;
    const fine = this.fine;
    let lo = this.lo;
    let width = this.width;
    let top = lo + width * bins;
    let inverse = this.inverseWidth;
    let min = this.min;
    let max = this.max;
    const n = losses.length;
    for (let i = 0; i < n; i++) {
      const loss = losses[i]!;
      if (width > 0 && loss >= lo && loss < top) {
        if (loss < min) min = loss;
        if (loss > max) max = loss;
        // loss - lo >= 0 here, so truncation is the floor.
        const bin = ((loss - lo) * inverse) | 0;
        fine[bin < bins ? bin : bins - 1]!++;
        continue;
      }
      this.min = min;
      this.max = max;
      this.addToHistogram(loss);
      lo = this.lo;
      width = this.width;
      top = lo + width * bins;
      inverse = this.inverseWidth;
      min = this.min;
      max = this.max;
    }
    this.min = min;
    this.max = max;
  }

  private addToSeries(loss: number, row: number): void {
    if (this.buckets.length === 0) this.firstRow = row;
    const last = this.buckets[this.buckets.length - 1];
    // That is: floor((row - firstRow) / bucketSize) is the last bucket's index.
    if (last && row >= this.lastStart && row < this.lastEnd) {
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
    this.lastStart = this.firstRow + (this.buckets.length - 1) * this.bucketSize;
    this.lastEnd = this.lastStart + this.bucketSize;
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

  /** At a multiple of the step: a point of the running mean, with the stretch's extremes. */
  private keepPoint(count: number, mean: number): void {
    this.nextPoint += this.step;
    // Keep the stretch's extremes too, so the jump an extreme loss makes survives.
    for (const p of [...this.stretchExtremes(), this.point(count, mean, this.m2)].sort((a, b) => a.n - b.n)) {
      if (this.running[this.running.length - 1]?.n !== p.n) this.running.push(p);
    }
    this.lowN = 0;
    this.highN = 0;
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
      this.nextPoint = (Math.floor(count / this.step) + 1) * this.step;
    }
  }

  /** The running mean after `count` rows with its 95% half-width, from Welford's m2 then. */
  private point(count: number, mean: number, m2: number): { n: number; mean: number; half: number } {
    const variance = count > 1 ? Math.max(0, m2 / (count - 1)) : 0;
    return { n: count, mean, half: LossSketch.z95 * Math.sqrt(variance / count) };
  }

  /** The lowest and highest running mean of the stretch since the last kept point, in row order. */
  private stretchExtremes(): { n: number; mean: number; half: number }[] {
    if (this.lowN === 0) return [];
    return [this.point(this.lowN, this.lowMean, this.lowM2), this.point(this.highN, this.highMean, this.highM2)].sort((a, b) => a.n - b.n);
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
      this.inverseWidth = 1 / this.width;
    }
    // Each step doubles the width, so float64's exponent range bounds these loops (about 2100
    // steps from the narrowest range to the widest) whatever the loss.
    while (loss >= this.lo + this.width * LossSketch.fineBins) this.growRange(false);
    while (loss < this.lo) this.growRange(true);
    // width is a power of two, so multiplying by its inverse is the exact division.
    const bin = Math.min(LossSketch.fineBins - 1, Math.floor((loss - this.lo) * this.inverseWidth));
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
    this.inverseWidth = 1 / this.width;
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
      const points =
        bucket.loRow === bucket.hiRow
          ? [[bucket.loRow, bucket.lo]]
          : bucket.loRow < bucket.hiRow
            ? [
                [bucket.loRow, bucket.lo],
                [bucket.hiRow, bucket.hi],
              ]
            : [
                [bucket.hiRow, bucket.hi],
                [bucket.loRow, bucket.lo],
              ];
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
    for (const p of this.stretchExtremes()) {
      if (points[points.length - 1]?.n !== p.n) points.push(p);
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
