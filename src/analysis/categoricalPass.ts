import { choosePredictionKind, rowsNotNormalised, type ClassScores, type KindDecision, type PredictionKind } from '../engine/categorical';
import { ReliabilityState } from '../engine/calibration';
import { CrossEntropyState } from '../engine/crossEntropyLoss';
import { CategoricalFitState } from '../engine/fits/categoricalFit';
import { logProbabilityRows } from '../engine/logProbabilities';
import { fitTemperature, type TemperatureFit } from '../engine/temperature';
import { LossSketch } from '../engine/lossSketch';
import type { AnalysisOptions } from './types';

/** Rows of a file in file order: labels, their [rows, K] scores, and the 1-based line of each row in a text file. */
export interface CategoricalBatch {
  readonly labels: ArrayLike<number>;
  readonly scores: ClassScores;
  readonly firstRow: number;
  readonly lines?: ArrayLike<number>;
}

/** How many leading rows decide the prediction kind: the same rows whichever reader streams the file. */
export const KIND_SAMPLE_ROWS = 65_536;

/**
 * How many leading rows the temperature curve is fitted on: each of its grid points is a pass
 * of log-sum-exps, so it stays a small, fixed cost however large the file.
 */
export const TEMPERATURE_SAMPLE_ROWS = 8_192;

/** A row remembered with what the derivation shows of it. */
export interface NotedRow {
  readonly row: number;
  readonly line: number | undefined;
  readonly label: number;
  readonly loss: number;
}

/**
 * One pass of the categorical cross-entropy over batches of rows, in bounded memory: PyTorch's
 * F.cross_entropy state, the plot sketch, the rows worth naming (with their lines), and a few
 * rows near the running mean for the worked example.
 */
export class CategoricalPass {
  readonly state: CrossEntropyState;
  readonly sketch = new LossSketch();
  /** The unconditional MLE of the labels alone: their class frequencies. */
  readonly labelFit = new CategoricalFitState();
  readonly reliability: ReliabilityState;
  /** Labels and log-probabilities of the first rows, for the temperature curve. */
  private temperatureSample: { labels: Float64Array; logits: Float64Array; n: number } | undefined;
  readonly decision: KindDecision & { readonly detected: KindDecision };
  private readonly lines = new Map<number, number>();
  private readonly labels = new Map<number, number>();
  notNormalisedCount = 0;
  readonly notNormalisedRows: number[] = [];
  /** F.cross_entropy(reduction='none') of every row, kept only when asked for. */
  readonly rowLosses: number[] | undefined;
  /** The row whose loss is nearest the running mean so far: a typical row for the worked example. */
  private typical: NotedRow | undefined;

  constructor(
    readonly k: number,
    sample: ClassScores,
    options: AnalysisOptions,
  ) {
    this.decision = choosePredictionKind(sample, options.kind, (reason) => (sample.n < KIND_SAMPLE_ROWS ? reason : `${reason} (in the first ${KIND_SAMPLE_ROWS.toLocaleString('en-US')} rows)`));
    // Probabilities and logits become log-probabilities once per batch in push(); the states read those.
    const stateKind: PredictionKind = 'logprobs';
    this.reliability = new ReliabilityState(k, stateKind);
    this.rowLosses = options.keepRowLosses ? [] : undefined;
    this.state = new CrossEntropyState(k, {
      kind: stateKind,
      ...(options.weight ? { weight: options.weight } : {}),
      ...(options.ignoreIndex !== undefined ? { ignoreIndex: options.ignoreIndex } : {}),
      ...(options.labelSmoothing !== undefined ? { labelSmoothing: options.labelSmoothing } : {}),
    });
  }

  /** Consumes a batch; a RowError names the file row (firstRow-based). */
  push(given: CategoricalBatch): void {
    const { kind } = this.decision;
    const batch = kind === 'logprobs' ? given : { ...given, scores: { ...given.scores, values: logProbabilityRows(given.scores, kind, given.firstRow) } };
    const { labels, scores, firstRow } = batch;
    const note = (row: number) => {
      const line = batch.lines?.[row - firstRow];
      if (line !== undefined) this.lines.set(row, line);
      this.labels.set(row, labels[row - firstRow]!);
    };
    if (kind !== 'logits' && this.k > 1) {
      const off = rowsNotNormalised(given.scores, kind, 20 - this.notNormalisedRows.length);
      this.notNormalisedCount += off.count;
      for (const row of off.rows) {
        this.notNormalisedRows.push(firstRow + row);
        note(firstRow + row);
      }
    }
    const infiniteBefore = this.state.likelihood.infiniteRows.length;
    const losses = this.state.consume({ labels, scores, firstRow });
    const ignore = this.state.options.ignoreIndex ?? -100;
    if (this.rowLosses) for (const loss of losses) this.rowLosses.push(loss);
    for (let i = 0; i < losses.length; i++) {
      if (labels[i] === ignore) continue;
      this.sketch.add(losses[i]!, firstRow + i);
    }
    for (const row of this.state.likelihood.infiniteRows.slice(infiniteBefore)) note(row);
    const kept = this.state.ignored > 0 ? withoutIgnored(batch, ignore) : batch;
    this.labelFit.consume({ values: kept.labels, firstRow });
    this.reliability.consume({ labels: kept.labels, scores: kept.scores, firstRow });
    if (!this.temperatureSample) this.temperatureSample = logitsOf(kept, TEMPERATURE_SAMPLE_ROWS);
    for (const { row } of this.sketch.worstRows()) if (row >= firstRow && !this.labels.has(row)) note(row);
    this.updateTypical(losses, batch, ignore);
  }

  private updateTypical(losses: Float64Array, batch: CategoricalBatch, ignore: number): void {
    const mean = this.state.likelihood.mean;
    let best = this.typical && Number.isFinite(this.typical.loss) ? Math.abs(this.typical.loss - mean) : Infinity;
    for (let i = 0; i < losses.length; i++) {
      if (batch.labels[i] === ignore || !Number.isFinite(losses[i]!)) continue;
      const distance = Math.abs(losses[i]! - mean);
      if (distance < best) {
        best = distance;
        const row = batch.firstRow + i;
        this.typical = { row, line: batch.lines?.[i], label: batch.labels[i]!, loss: losses[i]! };
      }
    }
  }

  lineOf(row: number): number | undefined {
    return this.lines.get(row);
  }

  labelOf(row: number): number | undefined {
    return this.labels.get(row);
  }

  get typicalRow(): NotedRow | undefined {
    return this.typical;
  }

  /**
   * Temperature scaling on the first TEMPERATURE_SAMPLE_ROWS rows (a huge file costs no more):
   * the cross-entropy of softmax(log q / T) against T and the T that minimises it.
   */
  temperature(): (TemperatureFit & { readonly rows: number }) | undefined {
    const sample = this.temperatureSample;
    if (!sample || sample.n === 0 || this.k < 2) return undefined;
    const finite = sample.logits.every((v) => Number.isFinite(v));
    if (!finite) return undefined;
    return { ...fitTemperature(sample.labels, { n: sample.n, k: this.k, values: sample.logits }, { gridPoints: 41, minTemperature: 0.05, maxTemperature: 20 }), rows: sample.n };
  }
}

/** The batch without rows whose label is the ignore index. */
function withoutIgnored(batch: CategoricalBatch, ignore: number): CategoricalBatch {
  const keep: number[] = [];
  for (let i = 0; i < batch.labels.length; i++) if (batch.labels[i] !== ignore) keep.push(i);
  const k = batch.scores.k;
  const values = new Float64Array(keep.length * k);
  keep.forEach((i, row) => values.set(batch.scores.values.subarray(i * k, (i + 1) * k), row * k));
  return { labels: Float64Array.from(keep, (i) => batch.labels[i]!), scores: { n: keep.length, k, values }, firstRow: batch.firstRow };
}

/** The first rows of a batch already in log-probabilities (logits up to a constant per row), for temperature scaling. */
function logitsOf(batch: CategoricalBatch, rows: number): { labels: Float64Array; logits: Float64Array; n: number } {
  const { k, values } = batch.scores;
  const n = Math.min(rows, batch.scores.n);
  return { labels: Float64Array.from({ length: n }, (_, i) => batch.labels[i]!), logits: Float64Array.from(values.subarray(0, n * k)), n };
}
