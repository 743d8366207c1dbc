// The log-sum-exp kernel against scalar loops, in one process: built by esbuild.mjs to
// out/bench/kernel.js, run by bench/run.mjs (or alone: `node esbuild.mjs && node out/bench/kernel.js`).
// Every case is timed RUNS times (default 7), the contenders taking turns run by run; medians.
import { expNonPositive } from '../src/engine/expNonPositive';
import { logSumExpKernel, setKernelEnabled } from '../src/engine/kernel/logSumExpKernel';
import { scoreRows } from '../src/engine/rowScores';
import { scoreTokens } from '../src/engine/tokens/tokenLoss';
import { random } from '../test/helpers/random';

const RUNS = Number(process.env.RUNS ?? 7);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

function seconds(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Runs each contender once per round, RUNS rounds after one warm-up round; median seconds of each. */
function interleaved(contenders: readonly (() => void)[]): number[] {
  for (const run of contenders) run();
  const times = contenders.map(() => [] as number[]);
  for (let round = 0; round < RUNS; round++) contenders.forEach((run, i) => times[i]!.push(seconds(run)));
  return times.map(median);
}

/** The scalar reference: per row its maximum, then a sum of Math.exp(z - max) in float64. */
function mathExpRows(values: Float64Array, n: number, width: number): number {
  let all = 0;
  for (let i = 0, at = 0; i < n; i++, at += width) {
    let max = values[at]!;
    for (let j = 1; j < width; j++) if (values[at + j]! > max) max = values[at + j]!;
    let total = 0;
    for (let j = 0; j < width; j++) total += Math.exp(values[at + j]! - max);
    all += max + Math.log(total);
  }
  return all;
}

/** The same with the engine's table-driven exp, what the JavaScript loops call (written out again: one call site, one exp). */
function tableExpRows(values: Float64Array, n: number, width: number): number {
  let all = 0;
  for (let i = 0, at = 0; i < n; i++, at += width) {
    let max = values[at]!;
    for (let j = 1; j < width; j++) if (values[at + j]! > max) max = values[at + j]!;
    let total = 0;
    for (let j = 0; j < width; j++) total += expNonPositive(values[at + j]! - max);
    all += max + Math.log(total);
  }
  return all;
}

function logits(count: number, seed: number): Float64Array {
  const next = random(seed);
  return Float64Array.from({ length: count }, () => (next() - 0.5) * 20);
}

function main(): void {
  const kernel = logSumExpKernel();
  if (!kernel) throw new Error('the WebAssembly kernel is not available here (no SIMD, or LIKELIHOOD_LENS_KERNEL=off)');
  const lines = [
    `Log-sum-exp kernel (WebAssembly SIMD, f64x2) against scalar JavaScript, float64 logits, medians of ${RUNS} interleaved runs:`,
    '',
    '| V | rows | kernel (ns/logit) | Math.exp loop (ns/logit) | Math.exp / kernel | expNonPositive loop (ns/logit) | expNonPositive / kernel |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  let sink = 0;
  for (const width of [10, 1024, 32_000]) {
    const n = Math.max(1, Math.floor(4_000_000 / width));
    const values = logits(n * width, width);
    const labels = new Int32Array(n);
    const [wasm, scalar, table] = interleaved([
      () => kernel.score(values, 0, width, n, width, labels, (figures) => (sink += figures[0]!)),
      () => (sink += mathExpRows(values, n, width)),
      () => (sink += tableExpRows(values, n, width)),
    ]);
    const perLogit = (s: number) => (s * 1e9) / (n * width);
    lines.push(
      `| ${width} | ${n} | ${perLogit(wasm!).toFixed(2)} | ${perLogit(scalar!).toFixed(2)} | ${(scalar! / wasm!).toFixed(2)} | ` +
        `${perLogit(table!).toFixed(2)} | ${(table! / wasm!).toFixed(2)} |`,
    );
  }
  // The classifier's path: scoreRows over 10-class float32 logits (as a .npy of logits is read), kernel on and off;
  // then float64 logits and other widths of the same path (rows of up to 32 classes go two at a time, finished in the kernel).
  const n = 65_536;
  const blocks = 8;
  const options = { kind: 'logits', ignoreIndex: -100 } as const;
  for (const [k, Rows] of [
    [10, Float32Array],
    [10, Float64Array],
    [3, Float32Array],
    [32, Float32Array],
  ] as const) {
    const values = Rows.from(logits(n * k, 3));
    const next = random(4);
    const labels = Float64Array.from({ length: n }, () => Math.floor(next() * k));
    const scoreBlocks = (on: boolean) => () => {
      setKernelEnabled(on);
      for (let b = 0; b < blocks; b++) sink += scoreRows(labels, values, n, k, 0, options).nll[b]!;
    };
    const [withKernel, withoutKernel] = interleaved([scoreBlocks(true), scoreBlocks(false)]);
    setKernelEnabled(true);
    const perRow = (s: number) => (s * 1e9) / (n * blocks);
    const type = Rows === Float32Array ? 'float32' : 'float64';
    lines.push(
      ...(k === 10 && type === 'float32' ? [''] : []),
      `${k}-class rows through scoreRows (${blocks} blocks of ${n} ${type} rows): kernel ${perRow(withKernel!).toFixed(1)} ns/row, ` +
        `JavaScript loop ${perRow(withoutKernel!).toFixed(1)} ns/row, ${(withoutKernel! / withKernel!).toFixed(2)}x.`,
    );
  }
  // The language model's path: scoreTokens over float32 rows of 32000 logits, kernel on and off.
  const positions = 256;
  const vocabulary = 32_000;
  const tokenLogits = Float32Array.from(logits(positions * vocabulary, 5));
  const nextTarget = random(6);
  const targets = Int32Array.from({ length: positions }, () => Math.floor(nextTarget() * vocabulary));
  const scorePositions = (on: boolean) => () => {
    setKernelEnabled(on);
    sink += scoreTokens({ logits: tokenLogits, from: 0, to: positions, targets }, vocabulary, positions).nll[0]!;
  };
  const [tokensWithKernel, tokensWithoutKernel] = interleaved([scorePositions(true), scorePositions(false)]);
  setKernelEnabled(true);
  const perToken = (s: number) => (s * 1e9) / (positions * vocabulary);
  lines.push(
    '',
    `Language-model rows through scoreTokens (${positions} float32 rows of ${vocabulary}): kernel ${perToken(tokensWithKernel!).toFixed(2)} ns/logit, ` +
      `JavaScript loop ${perToken(tokensWithoutKernel!).toFixed(2)} ns/logit, ${(tokensWithoutKernel! / tokensWithKernel!).toFixed(2)}x.`,
  );
  if (Number.isNaN(sink)) throw new Error('a benchmark result was NaN');
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
