import wasmBase64 from './logSumExp.wat';

/**
 * The row-wise log-sum-exp of logSumExp.wat: rows of logits (float64, float32, or bfloat16 and
 * float16 as stored) copied in bulk into the module's memory, six float64 figures out per row
 * (see ROW_FIGURES), or, for classifier rows of up to CLASSIFY_MAX_WIDTH classes, each row
 * finished in the module (classify: nll, confidence, argmax and their compensated sum, two rows
 * at a time). It is an accelerator only: callers keep their JavaScript loop for when it is unavailable (no WebAssembly SIMD, or switched off with
 * LIKELIHOOD_LENS_KERNEL=off or setKernelEnabled(false)) and for naming what is wrong with a row
 * it refuses.
 */

/** Per row, at 6 i + ...: */
export const ROW_FIGURES = 6;
export const FIGURE_MAX = 0;
/** argmax, the first index of the maximum. */
export const FIGURE_ARGMAX = 1;
/** R = sum over j other than the argmax of exp(z_j - max): log-sum-exp = max + log1p(R). */
export const FIGURE_REST = 2;
/** W = sum_j exp(z_j - max) (z_j - max) <= 0: the entropy of softmax(z) is log1p(R) - W / (1 + R). */
export const FIGURE_WEIGHTED = 3;
/** The label's logit. */
export const FIGURE_PICKED = 4;
/** How many logits are strictly above the label's. */
export const FIGURE_ABOVE = 5;

/** A block's rows go through memory in chunks of about this many input bytes: memory stays bounded whatever the block. */
const CHUNK_BYTES = 8 << 20;
/** classify's chunks: small enough that a chunk copied in is still in cache when the kernel reads it, and its results when copied out. */
const CLASSIFY_CHUNK_BYTES = 128 << 10;
/** Rows wider than this (bytes as float64) are left to the JavaScript loop rather than grow memory for one row. */
const MAX_ROW_BYTES = 32 << 20;
const PAGE = 1 << 16;
/** The module's memory never grows past this: a chunk, or one widest row, and its float64 scratch. */
export const MAX_KERNEL_MEMORY_BYTES = CHUNK_BYTES + 2 * MAX_ROW_BYTES + (1 << 20);
const MAX_PAGES = MAX_KERNEL_MEMORY_BYTES / PAGE;

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  readonly score_f64: (input: number, stride: number, n: number, width: number, labels: number, out: number, scratch: number) => number;
  readonly score_f32: (input: number, stride: number, n: number, width: number, labels: number, out: number, scratch: number) => number;
  readonly score_bf16: (input: number, stride: number, n: number, width: number, labels: number, out: number, scratch: number) => number;
  readonly score_f16: (input: number, stride: number, n: number, width: number, labels: number, out: number, scratch: number) => number;
  readonly widen_halves: (input: number, n: number, out: number, f16: number, scalar: number) => void;
  readonly classify: (
    input: number,
    stride: number,
    n: number,
    width: number,
    narrow: number,
    labels: number,
    ignore: number,
    nll: number,
    confidence: number,
    predicted: number,
    own: number,
    scratch: number,
    total: number,
  ) => number;
  readonly finish: (nll: number, confidence: number, own: number, predicted: number, n: number, total: number) => void;
}

/** Rows of at most this many classes can go through classify, two rows at a time. */
export const CLASSIFY_MAX_WIDTH = 32;

/** What classify writes per row, into arrays of at least n. */
export interface ClassifiedRows {
  /** max + log1p(R) - z_y; 0 for ignored rows. */
  readonly nll: Float64Array;
  /** 1 / (1 + R), the softmax's largest probability; 0 for ignored rows. */
  readonly confidence: Float64Array;
  /** The first index of the maximum, as torch.argmax; -1 for ignored rows. */
  readonly predicted: Int32Array;
}

/** classify's answer: `bad` as score's return; the Neumaier sum of the scored rows' nll as (sum, compensation) when bad is -1. */
export interface ClassifyResult {
  readonly bad: number;
  readonly sum: number;
  readonly compensation: number;
}

/** The 2-byte floating-point formats the kernel reads as they are stored. */
export type HalfDType = 'bfloat16' | 'float16';

/** What score returns when it did not score the rows (see there). */
export const KERNEL_DECLINED = -2;

/**
 * Receives the figures of rows first .. first + rows - 1, ROW_FIGURES each from figures[0]: a view
 * of the module's memory, valid only during the call. Rows whose label is negative hold stale values.
 */
export type TakeFigures = (figures: Float64Array, first: number, rows: number) => void;

export class LogSumExpKernel {
  private constructor(private readonly exports: KernelExports) {}

  /** Compiles the module synchronously (this is a worker or scoring thread); undefined where WebAssembly SIMD is not available. */
  static compile(): LogSumExpKernel | undefined {
    if (typeof WebAssembly !== 'object') return undefined;
    const bytes = base64Bytes(wasmBase64);
    try {
      if (!WebAssembly.validate(bytes)) return undefined;
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
      return new LogSumExpKernel(instance.exports as unknown as KernelExports);
    } catch {
      return undefined;
    }
  }

  /** Whether rows of this width are taken (else the caller's own loop runs). */
  accepts(width: number): boolean {
    return Number.isSafeInteger(width) && width >= 1 && width * 8 <= MAX_ROW_BYTES;
  }

  /**
   * Scores n rows: row i's `width` values at values[offset + i * stride ..]; labels[i] < 0 skips
   * row i. Each label must be an index below `width` (the caller has checked them). The figures go
   * to `take` chunk by chunk, with no copy. Returns the first row (0-based in the block) with a NaN
   * or no finite maximum, or -1; no row from it on is given to `take`. KERNEL_DECLINED when its
   * memory could not grow: nothing was given, and the caller's own loop should score the rows.
   */
  score(values: Float32Array | Float64Array, offset: number, stride: number, n: number, width: number, labels: Int32Array, take: TakeFigures): number {
    const { score_f64, score_f32 } = this.exports;
    return this.scoreRows(values, values.BYTES_PER_ELEMENT === 8 ? score_f64 : score_f32, offset, stride, n, width, labels, take);
  }

  /**
   * score on raw bfloat16 or float16 elements (host byte order), each the 16 bits of one logit:
   * copied in as they are and widened inside, with the same figures as score on the decoded
   * float32 values.
   */
  scoreHalves(halves: Uint16Array, dtype: HalfDType, offset: number, stride: number, n: number, width: number, labels: Int32Array, take: TakeFigures): number {
    const { score_bf16, score_f16 } = this.exports;
    return this.scoreRows(halves, dtype === 'bfloat16' ? score_bf16 : score_f16, offset, stride, n, width, labels, take);
  }

  /** The float32 values of 16-bit patterns as scoreHalves widens them: four at a time, or each alone (`scalar`), as its tails do. */
  widenHalves(halves: Uint16Array, dtype: HalfDType, scalar = false): Float32Array {
    const n = halves.length;
    const outAt = align(2 * n);
    if (!this.reserve(outAt + 4 * n)) throw new RangeError(`no memory for ${n} values`);
    const buffer = this.exports.memory.buffer;
    new Uint16Array(buffer, 0, n).set(halves);
    this.exports.widen_halves(0, n, outAt, dtype === 'float16' ? 1 : 0, scalar ? 1 : 0);
    return new Float32Array(buffer, outAt, n).slice();
  }

  private scoreRows(
    values: Float32Array | Float64Array | Uint16Array,
    scoreChunk: KernelExports['score_f32'],
    offset: number,
    stride: number,
    n: number,
    width: number,
    labels: Int32Array,
    take: TakeFigures,
  ): number {
    if (!this.accepts(width) || !(stride >= width) || labels.length < n)
      throw new RangeError(`kernel rows of ${width} values, stride ${stride}, ${labels.length} labels for ${n} rows`);
    if (n > 0 && offset + (n - 1) * stride + width > values.length) throw new RangeError(`${values.length - offset} values for ${n} rows of stride ${stride}`);
    const elementBytes = values.BYTES_PER_ELEMENT;
    const rowBytes = stride * elementBytes;
    // Rows per chunk: as many as fit CHUNK_BYTES with their label and figures, at least one.
    const chunkRows = Math.max(1, Math.min(n, Math.floor(CHUNK_BYTES / (rowBytes + 4 + 8 * ROW_FIGURES))));
    const inputBytes = align((chunkRows - 1) * rowBytes + width * elementBytes);
    const labelsAt = inputBytes;
    const outAt = align(labelsAt + 4 * chunkRows);
    const scratchAt = align(outAt + 8 * ROW_FIGURES * chunkRows);
    if (!this.reserve(scratchAt + 8 * width)) return KERNEL_DECLINED;
    const buffer = this.exports.memory.buffer;
    const input =
      elementBytes === 8
        ? new Float64Array(buffer, 0, inputBytes / 8)
        : elementBytes === 4
          ? new Float32Array(buffer, 0, inputBytes / 4)
          : new Uint16Array(buffer, 0, inputBytes / 2);
    const labelView = new Int32Array(buffer, labelsAt, chunkRows);
    const outView = new Float64Array(buffer, outAt, ROW_FIGURES * chunkRows);
    for (let first = 0; first < n; first += chunkRows) {
      const rows = Math.min(chunkRows, n - first);
      const start = offset + first * stride;
      input.set(values.subarray(start, start + (rows - 1) * stride + width));
      labelView.set(labels.subarray(first, first + rows));
      const bad = scoreChunk(0, stride, rows, width, labelsAt, outAt, scratchAt);
      take(outView, first, bad >= 0 ? bad : rows);
      if (bad >= 0) return first + bad;
    }
    return -1;
  }

  /** Whether rows of this width can go through classify. */
  acceptsForClassify(width: number): boolean {
    return Number.isSafeInteger(width) && width >= 1 && width <= CLASSIFY_MAX_WIDTH;
  }

  /**
   * Scores n classifier rows whole: row i's `width` logits at values[i * stride ..], its label
   * labels[i] (a row whose label equals ignoreIndex is skipped). Writes each row's nll, confidence
   * and prediction into `out`, with one copy per chunk, and sums the nll of the rows scored. Returns
   * bad: the first row whose label is not a class index in 0..width-1, or that holds a NaN or no
   * finite maximum (nothing is summed then; the caller names it), or -1; KERNEL_DECLINED when its
   * memory could not grow (nothing written).
   */
  classify(
    values: Float32Array | Float64Array,
    stride: number,
    n: number,
    width: number,
    labels: ArrayLike<number>,
    ignoreIndex: number,
    out: ClassifiedRows,
  ): ClassifyResult {
    if (
      !this.acceptsForClassify(width) ||
      !(stride >= width) ||
      labels.length < n ||
      out.nll.length < n ||
      out.confidence.length < n ||
      out.predicted.length < n
    )
      throw new RangeError(`classifier rows of ${width} values, stride ${stride}, ${labels.length} labels for ${n} rows`);
    if (n > 0 && (n - 1) * stride + width > values.length) throw new RangeError(`${values.length} values for ${n} rows of stride ${stride}`);
    const elementBytes = values.BYTES_PER_ELEMENT;
    const rowBytes = stride * elementBytes;
    // Rows per chunk: as many as fit CLASSIFY_CHUNK_BYTES with their label and three results, at least one;
    // even when there are several chunks, so that pairs of rows stay whole.
    const fit = Math.floor(CLASSIFY_CHUNK_BYTES / (rowBytes + 8 + 8 + 8 + 4 + 8));
    const chunkRows = n <= fit ? n : Math.max(1, fit & ~1);
    const inputBytes = align(Math.max(0, chunkRows - 1) * rowBytes + width * elementBytes);
    // One slot more than the rows for each array: an odd last row is paired with itself.
    const slots = chunkRows + 1;
    const labelsAt = inputBytes;
    const nllAt = align(labelsAt + 8 * slots);
    const confidenceAt = align(nllAt + 8 * slots);
    const predictedAt = align(confidenceAt + 8 * slots);
    const ownAt = align(predictedAt + 4 * slots);
    const scratchAt = align(ownAt + 8 * slots);
    // Scratch: the pair of rows widened (16 bytes a class), a pad of -inf, then the 13 constants of exp.
    const totalAt = scratchAt + 16 * (width + 1) + 16 * 13;
    if (!this.reserve(totalAt + 16)) return { bad: KERNEL_DECLINED, sum: 0, compensation: 0 };
    const { memory, classify } = this.exports;
    const buffer = memory.buffer;
    const input = elementBytes === 8 ? new Float64Array(buffer, 0, inputBytes / 8) : new Float32Array(buffer, 0, inputBytes / 4);
    const labelView = new Float64Array(buffer, labelsAt, slots);
    const nllView = new Float64Array(buffer, nllAt, slots);
    const confidenceView = new Float64Array(buffer, confidenceAt, slots);
    const predictedView = new Int32Array(buffer, predictedAt, slots);
    const total = new Float64Array(buffer, totalAt, 2);
    total.fill(0);
    const typedLabels = ArrayBuffer.isView(labels) ? (labels as unknown as Float64Array) : undefined;
    for (let first = 0; first < n; first += chunkRows) {
      const rows = Math.min(chunkRows, n - first);
      const start = first * stride;
      input.set(values.subarray(start, start + (rows - 1) * stride + width));
      if (typedLabels) labelView.set(typedLabels.subarray(first, first + rows));
      else for (let r = 0; r < rows; r++) labelView[r] = labels[first + r]!;
      const bad = classify(
        0,
        stride,
        rows,
        width,
        elementBytes === 4 ? 1 : 0,
        labelsAt,
        ignoreIndex,
        nllAt,
        confidenceAt,
        predictedAt,
        ownAt,
        scratchAt,
        totalAt,
      );
      if (bad >= 0) return { bad: first + bad, sum: 0, compensation: 0 };
      out.nll.set(nllView.subarray(0, rows), first);
      out.confidence.set(confidenceView.subarray(0, rows), first);
      out.predicted.set(predictedView.subarray(0, rows), first);
    }
    return { bad: -1, sum: total[0]!, compensation: total[1]! };
  }

  /** log(1 + x) for each x >= 0 (finite), as classify computes it: its second loop on max 0, R = x, z_y 0. */
  log1p(values: ArrayLike<number>): Float64Array {
    const n = values.length;
    const slots = n + 2;
    if (!this.reserve(8 * 4 * slots + 16)) throw new RangeError(`no memory for ${n} values`);
    const buffer = this.exports.memory.buffer;
    new Uint8Array(buffer, 0, 8 * 4 * slots + 16).fill(0);
    const rest = new Float64Array(buffer, 8 * slots, slots);
    for (let i = 0; i < n; i++) rest[i] = values[i]!;
    this.exports.finish(0, 8 * slots, 16 * slots, 24 * slots, n, 32 * slots);
    return new Float64Array(buffer, 0, n).slice();
  }

  /** The size of the module's memory now. */
  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  /** Grows memory to `bytes`, within MAX_PAGES; false when it cannot (the process is short of memory). */
  private reserve(bytes: number): boolean {
    const { memory } = this.exports;
    const pages = Math.ceil(bytes / PAGE);
    const have = memory.buffer.byteLength / PAGE;
    if (pages > MAX_PAGES) throw new RangeError(`the kernel would need ${pages} pages of memory, over its ${MAX_PAGES}`);
    if (pages <= have) return true;
    try {
      memory.grow(pages - have);
      return true;
    } catch {
      return false;
    }
  }
}

function align(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

function base64Bytes(base64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

let enabled = typeof process === 'object' && process.env?.LIKELIHOOD_LENS_KERNEL !== 'off';
let loaded: LogSumExpKernel | undefined | null = null;

/** The kernel of this thread, compiled on first use; undefined when unavailable or switched off. */
export function logSumExpKernel(): LogSumExpKernel | undefined {
  if (!enabled) return undefined;
  if (loaded === null) loaded = LogSumExpKernel.compile();
  return loaded;
}

/** Switches the kernel off (the JavaScript loops run) or back on, for this thread. */
export function setKernelEnabled(on: boolean): void {
  enabled = on;
}
