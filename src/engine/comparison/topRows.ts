/** A row of a paired comparison: its losses under model A and model B, and their difference A - B. */
export interface RowDifference {
  readonly row: number;
  readonly lossA: number;
  readonly lossB: number;
  readonly difference: number;
}

/**
 * The k rows with the largest `score` in bounded memory: a min-heap of k, so a row costs
 * O(log k) and the state merges by pushing the other's rows. Ties keep the earlier row.
 */
export class TopRows {
  private readonly heap: RowDifference[] = [];

  constructor(
    private readonly k: number,
    private readonly score: (row: RowDifference) => number,
  ) {}

  /** Whether `a` ranks below `b`: smaller score, or the same score and a later row. */
  private below(a: RowDifference, b: RowDifference): boolean {
    const sa = this.score(a);
    const sb = this.score(b);
    return sa < sb || (sa === sb && a.row > b.row);
  }

  /** Whether a row of this score could enter: cheap, before a row object is made. */
  admits(score: number): boolean {
    return this.heap.length < this.k || score > this.score(this.heap[0]!);
  }

  push(row: RowDifference): void {
    const heap = this.heap;
    if (this.k <= 0 || Number.isNaN(this.score(row))) return;
    if (heap.length < this.k) {
      heap.push(row);
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.below(heap[i]!, heap[parent]!)) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
      return;
    }
    if (!this.below(heap[0]!, row)) return;
    heap[0] = row;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && this.below(heap[left]!, heap[least]!)) least = left;
      if (right < heap.length && this.below(heap[right]!, heap[least]!)) least = right;
      if (least === i) break;
      [heap[i], heap[least]] = [heap[least]!, heap[i]!];
      i = least;
    }
  }

  merge(other: TopRows): void {
    for (const row of other.heap) this.push(row);
  }

  /** The rows, highest score first. */
  rows(): RowDifference[] {
    return [...this.heap].sort((a, b) => (this.below(a, b) ? 1 : this.below(b, a) ? -1 : 0));
  }
}
