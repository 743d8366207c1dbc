import { addCompensatedAt } from '../compensatedSum';

/** An IndexedSums as plain data (see CompensatedSumData): what merge() reads, and what crosses to another thread. */
export interface IndexedSumsData {
  /** The index of entry 0. */
  readonly first: number;
  /** Entries in use: indices first .. first + size - 1. */
  readonly size: number;
  readonly sum: Float64Array;
  readonly compensation: Float64Array;
  readonly count: Float64Array;
}

/**
 * Compensated sums and counts keyed by a small integer (a sequence, a position in the sequence),
 * stored densely over the range of indices actually added to. The range grows with what was
 * added, never with a size read from a file, so a state that saw a few sequences of a huge batch
 * holds a few entries.
 */
export class IndexedSums implements IndexedSumsData {
  first = 0;
  size = 0;
  sum: Float64Array = new Float64Array(0);
  compensation: Float64Array = new Float64Array(0);
  count: Float64Array = new Float64Array(0);

  add(index: number, value: number, count = 1): void {
    let i = index - this.first;
    if (i < 0 || i >= this.size) i = this.cover(index);
    addCompensatedAt(this.sum, this.compensation, i, value);
    this.count[i]! += count;
  }

  merge(other: IndexedSumsData): void {
    for (let j = 0; j < other.size; j++) {
      if (other.count[j] === 0) continue;
      let i = other.first + j - this.first;
      if (i < 0 || i >= this.size) i = this.cover(other.first + j);
      addCompensatedAt(this.sum, this.compensation, i, other.sum[j]!);
      addCompensatedAt(this.sum, this.compensation, i, other.compensation[j]!);
      this.count[i]! += other.count[j]!;
    }
  }

  /** The compensated sum at `index` (0 where nothing was added). */
  valueAt(index: number): number {
    const i = index - this.first;
    if (i < 0 || i >= this.size) return 0;
    const sum = this.sum[i]!;
    return Number.isFinite(sum) ? sum + this.compensation[i]! : sum;
  }

  countAt(index: number): number {
    const i = index - this.first;
    return i < 0 || i >= this.size ? 0 : this.count[i]!;
  }

  /** Grows the range to hold `index`; returns its entry. Capacity doubles, so n adds in order cost O(n). */
  private cover(index: number): number {
    if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`index ${index} is not a non-negative integer`);
    if (this.size === 0) {
      this.first = index;
      this.size = 1;
      if (this.sum.length === 0) this.reallocate(1, 0);
      return 0;
    }
    const low = Math.min(this.first, index);
    const size = Math.max(this.first + this.size, index + 1) - low;
    if (low < this.first || size > this.sum.length)
      this.reallocate(size > this.sum.length ? Math.max(size, 2 * this.sum.length) : this.sum.length, this.first - low);
    this.first = low;
    this.size = size;
    return index - low;
  }

  private reallocate(capacity: number, shift: number): void {
    const grow = (old: Float64Array): Float64Array => {
      const next = new Float64Array(capacity);
      next.set(old.subarray(0, this.size), shift);
      return next;
    };
    this.sum = grow(this.sum);
    this.compensation = grow(this.compensation);
    this.count = grow(this.count);
  }
}
