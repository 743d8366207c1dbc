import { choosePredictionKind, type ClassScores, type KindDecision, type PredictionKind } from '../../../engine/categorical';
import { ReliabilityState } from '../../../engine/calibration';
import { scoreBlock } from '../../../engine/categoricalBlock';
import { CrossEntropyState, DEFAULT_IGNORE_INDEX, type CrossEntropyOptions } from '../../../engine/crossEntropyLoss';
import { CategoricalFitState } from '../../../engine/fits/categoricalFit';
import { logProbabilityRow } from '../../../engine/logProbabilities';
import { RowError } from '../../../engine/rowError';
import { NOTED_ROWS } from '../../../engine/rowScores';
import { fitTemperature, type TemperatureFit } from '../../../engine/temperature';
import { LossSketch } from '../../../engine/lossSketch';
import { MissingRows } from '../../../engine/missingValues';
import { MAX_CLASS_TABLE, PerClassState } from '../../../engine/perClass';
import { SliceState, type SliceColumn } from '../../../engine/slices';
import type { AnalysisOptions } from '../../results';
import { KIND_SAMPLE_ROWS, TEMPERATURE_SAMPLE_ROWS } from '../../sizes';
import type { ReducedBatch } from '../../rows/rowBatch';

/** Rows of a file in file order: labels, their [rows, K] scores, and the 1-based line of each row in a text file. */
export interface CategoricalBatch {
  readonly labels: ArrayLike<number>;
  readonly scores: ClassScores;
  readonly firstRow: number;
  readonly lines?: ArrayLike<number>;
  /** Per slice column, each row's slice code (see SliceState). */
  readonly sliceKeys?: readonly ArrayLike<number>[];
}

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
  /** Figures by class, up to MAX_CLASS_TABLE classes. */
  readonly perClass: PerClassState | undefined;
  /** Labels and log-probabilities of the first rows, for the temperature curve. */
  private temperatureSample: { labels: Float64Array; logits: Float64Array; n: number } | undefined;
  /** The fit of the sample, once made: it depends on the sample alone. */
  private fittedTemperature: { sample: object; fit: (TemperatureFit & { readonly rows: number }) | undefined } | undefined;
  readonly decision: KindDecision & { readonly detected: KindDecision };
  private readonly lines = new Map<number, number>();
  private readonly labels = new Map<number, number>();
  notNormalisedCount = 0;
  /** Rows left out for a missing label or score, counted apart from the ignore index's. */
  readonly missing = new MissingRows();
  readonly notNormalisedRows: number[] = [];
  /** F.cross_entropy(reduction='none') of every row, kept only when asked for. */
  readonly rowLosses: number[] | undefined;
  /** Each row's label and top class, kept with the row losses: what a comparison of two files checks and counts. */
  readonly rowLabels: number[] | undefined;
  readonly rowPredicted: number[] | undefined;
  /** The row whose loss is nearest the running mean so far: a typical row for the worked example. */
  private typical: NotedRow | undefined;

  /** Figures by slice of the rows, when the file has columns that group them. */
  readonly slices: SliceState | undefined;

  constructor(
    readonly k: number,
    sample: ClassScores,
    options: AnalysisOptions,
    sliceColumns?: readonly SliceColumn[],
  ) {
    this.slices = sliceColumns && sliceColumns.length > 0 ? new SliceState(sliceColumns) : undefined;
    this.decision = choosePredictionKind(sample, options.kind, (reason) =>
      sample.n < KIND_SAMPLE_ROWS ? reason : `${reason} (in the first ${KIND_SAMPLE_ROWS.toLocaleString('en-US')} rows)`,
    );
    const { kind } = this.decision;
    this.reliability = new ReliabilityState(k, kind);
    this.perClass = k <= MAX_CLASS_TABLE ? new PerClassState(k) : undefined;
    this.rowLosses = options.keepRowLosses ? [] : undefined;
    this.rowLabels = options.keepRowLosses ? [] : undefined;
    this.rowPredicted = options.keepRowLosses ? [] : undefined;
    this.state = new CrossEntropyState(k, crossEntropyOptionsFor(kind, options));
  }

  /** Scores and reduces a batch on this thread; a RowError names the file row (firstRow-based). */
  push(batch: CategoricalBatch): void {
    const { labels, scores, firstRow } = batch;
    if (labels.length !== scores.n) throw new RowError(firstRow + Math.min(labels.length, scores.n), `${labels.length} labels for ${scores.n} prediction rows`);
    const block = scoreBlock(this.k, this.state.options, labels, scores.values, scores.n, firstRow);
    this.sampleTemperature(batch);
    this.pushReduced({ labels, firstRow, ...(batch.lines ? { lines: batch.lines } : {}), ...(batch.sliceKeys ? { sliceKeys: batch.sliceKeys } : {}), block });
  }

  /** Keeps the leading rows of the first batch that have a class label and valid values, for the temperature curve. */
  sampleTemperature(batch: CategoricalBatch): void {
    this.temperatureSample ??= temperatureSample(batch, this.decision.kind, this.state.options.ignoreIndex ?? DEFAULT_IGNORE_INDEX, TEMPERATURE_SAMPLE_ROWS);
  }

  /** Merges a block reduced with these cross-entropy options (here or on another thread), in file order. */
  pushReduced(batch: ReducedBatch): void {
    const { labels, block, firstRow } = batch;
    const note = (row: number) => {
      const line = batch.lines?.[row - firstRow];
      if (line !== undefined) this.lines.set(row, line);
      this.labels.set(row, labels[row - firstRow]!);
    };
    this.notNormalisedCount += block.notNormalisedCount;
    for (const row of block.notNormalisedRows) {
      if (this.notNormalisedRows.length >= NOTED_ROWS) break;
      this.notNormalisedRows.push(row);
      note(row);
    }
    for (const row of block.missing.rows) if (this.missing.rows.length < NOTED_ROWS) note(row);
    this.missing.merge(block.missing);
    const infiniteBefore = this.state.likelihood.infiniteRows.length;
    this.state.merge(block.crossEntropy);
    this.reliability.merge(block.reliability);
    this.reliability.bootstrapRows(firstRow, block.reliabilityBins, block.confidence);
    if (this.perClass && block.perClass) this.perClass.merge(block.perClass);
    if (this.slices) {
      if (!batch.sliceKeys) throw new Error('a block of rows came without its slice keys');
      this.slices.add(batch.sliceKeys, block.losses, labels, block.predicted, (i) => block.predicted[i]! < 0);
    }
    this.labelFit.merge(block.labelCounts);
    const { losses, predicted } = block;
    // Ignored and missing rows alike are scored with top class -1.
    const anyLeftOut = block.crossEntropy.ignored > 0 || block.missing.count > 0;
    if (this.rowLosses) for (const loss of losses) this.rowLosses.push(loss);
    if (this.rowLabels) for (let i = 0; i < losses.length; i++) this.rowLabels.push(labels[i]!);
    if (this.rowPredicted) for (const top of block.predicted) this.rowPredicted.push(top);
    if (!anyLeftOut) this.sketch.addRows(losses, firstRow);
    else for (let i = 0; i < losses.length; i++) if (predicted[i]! >= 0) this.sketch.add(losses[i]!, firstRow + i);
    for (const row of this.state.likelihood.infiniteRows.slice(infiniteBefore)) note(row);
    for (const { row } of this.sketch.worstRows()) if (row >= firstRow && !this.labels.has(row)) note(row);
    this.updateTypical(losses, batch);
  }

  private updateTypical(losses: Float64Array, batch: ReducedBatch): void {
    const mean = this.state.likelihood.mean;
    let best = this.typical && Number.isFinite(this.typical.loss) ? Math.abs(this.typical.loss - mean) : Infinity;
    const predicted = batch.block.predicted;
    const n = losses.length;
    for (let i = 0; i < n; i++) {
      const loss = losses[i]!;
      if (predicted[i]! < 0 || !Number.isFinite(loss)) continue;
      const distance = Math.abs(loss - mean);
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
    if (this.fittedTemperature?.sample === sample) return this.fittedTemperature.fit;
    const finite = sample.logits.every((v) => Number.isFinite(v));
    const fit = finite
      ? {
          ...fitTemperature(sample.labels, { n: sample.n, k: this.k, values: sample.logits }, { gridPoints: 41, minTemperature: 0.05, maxTemperature: 20 }),
          rows: sample.n,
        }
      : undefined;
    this.fittedTemperature = { sample, fit };
    return fit;
  }
}

/** PyTorch's F.cross_entropy options for predictions of this kind, as the analysis options ask. */
export function crossEntropyOptionsFor(kind: PredictionKind, options: AnalysisOptions): CrossEntropyOptions {
  return {
    kind,
    ...(options.weight ? { weight: options.weight } : {}),
    ...(options.ignoreIndex !== undefined ? { ignoreIndex: options.ignoreIndex } : {}),
    ...(options.labelSmoothing !== undefined ? { labelSmoothing: options.labelSmoothing } : {}),
    ...(options.strictMissing ? { strictMissing: true } : {}),
  };
}

/**
 * Labels and log-probabilities (logits up to a constant per row) of the first rows of a batch
 * with a class label, for temperature scaling.
 */
function temperatureSample(
  batch: CategoricalBatch,
  kind: PredictionKind,
  ignore: number,
  rows: number,
): { labels: Float64Array; logits: Float64Array; n: number } {
  const { k, values } = batch.scores;
  const labels: number[] = [];
  const logits: number[] = [];
  const row = new Float64Array(k);
  for (let i = 0; i < batch.scores.n && labels.length < rows; i++) {
    const label = batch.labels[i]!;
    if (label === ignore || !(label >= 0 && label < k && Number.isInteger(label))) continue;
    try {
      logProbabilityRow(values, i * k, k, kind, batch.firstRow + i, row);
    } catch (error) {
      // A bad row fails the pass where it is scored, in file order; the sample just leaves it out.
      if (error instanceof RowError) continue;
      throw error;
    }
    labels.push(batch.labels[i]!);
    for (const v of row) logits.push(v);
  }
  return { labels: Float64Array.from(labels), logits: Float64Array.from(logits), n: labels.length };
}
