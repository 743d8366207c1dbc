import { LossSketch } from '../../engine/lossSketch';
import type { RowLoss, RowLossPlots } from '../results';

/**
 * Per-row losses of a stream, for the plots: the bounded sketch, the lines of the rows it may
 * name as worst, and every loss only when reduction='none' was asked for.
 */
export class RowLossRecorder {
  readonly sketch = new LossSketch();
  private readonly lines = new Map<number, number>();
  readonly all: number[] | undefined;

  constructor(keepAll: boolean) {
    this.all = keepAll ? [] : undefined;
  }

  add(losses: ArrayLike<number>, batch: { readonly firstRow: number; readonly lines?: ArrayLike<number>; readonly fileRows?: ArrayLike<number> }): void {
    if (this.all) for (let i = 0; i < losses.length; i++) this.all.push(losses[i]!);
    const { fileRows } = batch;
    if (fileRows) {
      // Rows were left out: each loss goes in under its own file row.
      for (let i = 0; i < losses.length; i++) this.sketch.add(losses[i]!, fileRows[i]!);
      if (!batch.lines) return;
      const at = new Map<number, number>();
      for (let i = 0; i < fileRows.length; i++) at.set(fileRows[i]!, i);
      for (const { row } of this.sketch.worstRows()) {
        const i = at.get(row);
        if (i !== undefined) this.lines.set(row, batch.lines[i]!);
      }
      return;
    }
    this.sketch.addRows(losses instanceof Float64Array ? losses : Float64Array.from(losses), batch.firstRow);
    if (!batch.lines) return;
    for (const { row } of this.sketch.worstRows()) {
      const line = batch.lines[row - batch.firstRow];
      if (row >= batch.firstRow && line !== undefined) this.lines.set(row, line);
    }
  }

  /** std of the losses (ddof 1) / sqrt n, from the sketch's Welford state. */
  get standardError(): number {
    return this.sketch.standardError;
  }

  worstRows(): RowLoss[] {
    return this.sketch.worstRows().map(({ row, loss }) => {
      const line = this.lines.get(row);
      return { row, ...(line !== undefined ? { line } : {}), loss };
    });
  }

  plots(): RowLossPlots {
    return {
      perSampleLoss: this.sketch.perSampleSeries(),
      runningMean: this.sketch.runningMean(),
      histogram: this.sketch.histogram(),
      worstRows: this.worstRows(),
    };
  }
}
