/**
 * Neumaier's compensated summation: the running error of each addition is kept and added
 * back at the end, so summing 10^6 losses loses no more than a couple of ulps. Mergeable,
 * so chunked and parallel passes agree with a single pass.
 */
/** A compensated sum as plain data: what merge() reads, and what crosses to another thread. */
export interface CompensatedSumData {
  readonly sum: number;
  readonly compensation: number;
}

export class CompensatedSum implements CompensatedSumData {
  // Public so a copy made on another thread can be merged; use add() and value.
  sum = 0;
  compensation = 0;

  add(value: number): void {
    const total = this.sum + value;
    if (!Number.isFinite(total)) {
      // Infinite or NaN: the error term means nothing any more (and inf - inf would make it NaN).
      this.sum = total;
      return;
    }
    if (Math.abs(this.sum) >= Math.abs(value)) this.compensation += this.sum - total + value;
    else this.compensation += value - total + this.sum;
    this.sum = total;
  }

  merge(other: CompensatedSumData): void {
    this.add(other.sum);
    this.add(other.compensation);
  }

  get value(): number {
    return Number.isFinite(this.sum) ? this.sum + this.compensation : this.sum;
  }
}

/** Compensated sum of an array-like of numbers. */
/**
 * CompensatedSum.add on entry i of two parallel arrays (sums and their compensations): what a loop
 * over many sums (per class, per bin, per position) keeps instead of an object per sum.
 */
export function addCompensatedAt(sums: Float64Array, compensations: Float64Array, i: number, value: number): void {
  const sum = sums[i]!;
  const total = sum + value;
  if (!Number.isFinite(total)) {
    // Infinite or NaN: the error term means nothing any more.
    sums[i] = total;
    return;
  }
  if (Math.abs(sum) >= Math.abs(value)) compensations[i] += sum - total + value;
  else compensations[i] += value - total + sum;
  sums[i] = total;
}

export function sumOf(values: ArrayLike<number>): number {
  const total = new CompensatedSum();
  for (let i = 0; i < values.length; i++) total.add(values[i]!);
  return total.value;
}
