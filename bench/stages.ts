// Where a whole-process run's time goes: the stages of one thread's pass over bench/run.mjs's
// inputs, each timed apart on the same blocks (read, decode or parse, scoring, reductions, the
// ordered merge). Built by esbuild.mjs to out/bench/stages.js, run by bench/run.mjs after it has
// written the inputs (or alone: `node out/bench/stages.js bench/.data`). Medians of RUNS (default 5).
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { IN_MEMORY_BATCH_ROWS, LM_BLOCK_VALUES } from '../src/analysis/sizes';
import { CategoricalPass, crossEntropyOptionsFor } from '../src/analysis/tasks/categorical/pass';
import { reduceCategoricalBlock, type CategoricalBlock } from '../src/engine/categoricalBlock';
import { scoreOptionsFor } from '../src/engine/crossEntropyLoss';
import { scoreRows, type RowScores } from '../src/engine/rowScores';
import { logSumExpKernel } from '../src/engine/kernel/logSumExpKernel';
import { NO_TARGET } from '../src/engine/tokens/alignment';
import { scoreTokens, TokenLossState, type TokenScores } from '../src/engine/tokens/tokenLoss';
import { parsePlainLines, plainRecordParser } from '../src/readers/csvRecords';
import { decodeInto } from '../src/readers/dtypes';

const RUNS = Number(process.env.RUNS ?? 5);

/** Accumulated seconds per stage over one pass. */
class StageClock {
  readonly seconds = new Map<string, number>();

  time<T>(stage: string, run: () => T): T {
    const start = process.hrtime.bigint();
    const result = run();
    this.seconds.set(stage, (this.seconds.get(stage) ?? 0) + Number(process.hrtime.bigint() - start) / 1e9);
    return result;
  }
}

/** Runs `pass` RUNS times after one warm-up; the median of each stage. */
function medianStages(pass: (clock: StageClock) => void): Map<string, number> {
  pass(new StageClock());
  const clocks = Array.from({ length: RUNS }, () => {
    const clock = new StageClock();
    pass(clock);
    return clock;
  });
  const stages = new Map<string, number>();
  for (const stage of clocks[0]!.seconds.keys()) {
    const values = clocks.map((clock) => clock.seconds.get(stage)!).sort((a, b) => a - b);
    stages.set(stage, values[values.length >> 1]!);
  }
  return stages;
}

function readRange(fd: number, into: Uint8Array, position: number): void {
  let done = 0;
  while (done < into.length) {
    const read = readSync(fd, into, done, into.length - done, position + done);
    if (read === 0) throw new Error(`the file ends at ${position + done}`);
    done += read;
  }
}

/** The header length of a .npy file (format 1.0). */
function npyDataOffset(path: string): number {
  const head = readFileSync(path).subarray(0, 12);
  return 10 + head.readUInt16LE(8);
}

/** A classifier's pass on one thread over blocks of rows, as the in-memory and stored-tensor paths cut them. */
function classifierPass(clock: StageClock, k: number, blocks: Iterable<{ labels: Float64Array; values: Float32Array | Float64Array; firstRow: number }>): void {
  const options = {};
  let pass: CategoricalPass | undefined;
  for (const { labels, values, firstRow } of blocks) {
    const n = labels.length;
    pass ??= new CategoricalPass(k, { n, k, values }, options);
    const crossEntropy = crossEntropyOptionsFor(pass.decision.kind, options);
    const scores: RowScores = clock.time('scoring', () => scoreRows(labels, values, n, k, firstRow, scoreOptionsFor(crossEntropy)));
    const block: CategoricalBlock = clock.time('reductions', () => reduceCategoricalBlock(k, crossEntropy, labels, scores, firstRow));
    clock.time('merge', () => pass!.pushReduced({ labels, block, firstRow }));
  }
}

function* npyBlocks(
  clock: StageClock,
  logitsPath: string,
  labelsPath: string,
  k: number,
): Generator<{ labels: Float64Array; values: Float32Array; firstRow: number }> {
  const logitsAt = npyDataOffset(logitsPath);
  const labelsAt = npyDataOffset(labelsPath);
  const n = (statSync(labelsPath).size - labelsAt) / 8;
  const values = new Float32Array(IN_MEMORY_BATCH_ROWS * k);
  const labelBytes = new Uint8Array(IN_MEMORY_BATCH_ROWS * 8);
  const labels = new Float64Array(IN_MEMORY_BATCH_ROWS);
  const logitsFd = openSync(logitsPath, 'r');
  const labelsFd = openSync(labelsPath, 'r');
  try {
    for (let first = 0; first < n; first += IN_MEMORY_BATCH_ROWS) {
      const rows = Math.min(IN_MEMORY_BATCH_ROWS, n - first);
      const block = values.subarray(0, rows * k);
      clock.time('read', () => {
        // float32 as stored: read straight into the rows' array, nothing to decode.
        readRange(logitsFd, new Uint8Array(block.buffer, 0, block.byteLength), logitsAt + first * k * 4);
        readRange(labelsFd, labelBytes.subarray(0, rows * 8), labelsAt + first * 8);
      });
      clock.time('decode', () => decodeInto('int64', labelBytes, true, rows, labels, 0));
      yield { labels: labels.subarray(0, rows), values: block, firstRow: first };
    }
  } finally {
    closeSync(logitsFd);
    closeSync(labelsFd);
  }
}

function* csvBlocks(clock: StageClock, path: string, k: number): Generator<{ labels: Float64Array; values: Float64Array; firstRow: number }> {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  const header = readFileSync(path).subarray(0, 4096);
  const start = header.indexOf(10) + 1;
  // Scores first, the label last, as the scoring threads parse them.
  const layout = { width: k + 1, delimiter: 44, decimalComma: false, fields: [...Array.from({ length: k }, (_, j) => j + 1), 0] };
  const parse = plainRecordParser(layout);
  const chunk = new Uint8Array(4 << 20);
  let firstRow = 0;
  try {
    for (let at = start; at < size;) {
      const length = Math.min(chunk.length, size - at);
      clock.time('read', () => readRange(fd, chunk.subarray(0, length), at));
      // Whole lines only: the next chunk starts after the last line break.
      const end = at + length < size ? chunk.subarray(0, length).lastIndexOf(10) + 1 : length;
      const parsed = clock.time('decode', () => parsePlainLines(chunk.subarray(0, end), layout, parse));
      const stride = k + 1;
      const labels = new Float64Array(parsed.rows);
      const values = new Float64Array(parsed.rows * k);
      for (let i = 0; i < parsed.rows; i++) {
        labels[i] = parsed.values[i * stride + k]!;
        values.set(parsed.values.subarray(i * stride, i * stride + k), i * k);
      }
      yield { labels, values, firstRow };
      firstRow += parsed.rows;
      at += end;
    }
  } finally {
    closeSync(fd);
  }
}

/** A language model's pass on one thread: [B, T, V] bfloat16 logits of a .safetensors file with input_ids [B, T], shifted. */
function languageModelPass(clock: StageClock, path: string): void {
  const fd = openSync(path, 'r');
  try {
    const lengthBytes = new Uint8Array(8);
    readRange(fd, lengthBytes, 0);
    const headerLength = Number(Buffer.from(lengthBytes).readBigUInt64LE(0));
    const headerBytes = new Uint8Array(headerLength);
    readRange(fd, headerBytes, 8);
    const header = JSON.parse(Buffer.from(headerBytes).toString('utf8')) as Record<string, { shape: number[]; data_offsets: [number, number] }>;
    const base = 8 + headerLength;
    const [B, T, V] = header.logits!.shape as [number, number, number];
    const idBytes = new Uint8Array(B * T * 8);
    readRange(fd, idBytes, base + header.input_ids!.data_offsets[0]);
    const ids = new BigInt64Array(idBytes.buffer);
    const state = new TokenLossState(V, T);
    const positionsPerBlock = Math.max(1, Math.floor(LM_BLOCK_VALUES / V));
    const raw = new Uint8Array(positionsPerBlock * V * 2);
    const logits = new Float32Array(positionsPerBlock * V);
    const targets = new Int32Array(positionsPerBlock);
    // With the kernel, the bfloat16 bytes are scored as they are read (as the scoring threads do): no decode stage.
    const halves = logSumExpKernel() ? new Uint16Array(raw.buffer) : undefined;
    for (let from = 0; from < B * T; from += positionsPerBlock) {
      const n = Math.min(positionsPerBlock, B * T - from);
      clock.time('read', () => readRange(fd, raw.subarray(0, n * V * 2), base + header.logits!.data_offsets[0] + from * V * 2));
      if (!halves) clock.time('decode', () => decodeInto('bfloat16', raw.subarray(0, n * V * 2), true, n * V, logits, 0));
      // Position t scores the token at t + 1 (nothing at a sequence's last position).
      for (let i = 0; i < n; i++) targets[i] = (from + i) % T === T - 1 ? NO_TARGET : Number(ids[from + i + 1]);
      const block = { logits: halves ? { halves: halves.subarray(0, n * V), dtype: 'bfloat16' as const } : logits, from, to: from + n, targets };
      const scores: TokenScores = clock.time('scoring', () => scoreTokens(block, V, T));
      clock.time('reductions', () => state.consumeScores(scores, targets.subarray(0, n)));
    }
    if (!(state.rows > 0)) throw new Error('no token was scored');
  } finally {
    closeSync(fd);
  }
}

function main(): void {
  const data = process.argv[2] ?? join(__dirname, '..', '..', 'bench', '.data');
  const cases: { name: string; file: string; elements: number; pass: (clock: StageClock) => void }[] = [];
  const csv = join(data, 'classifier-1M.csv');
  if (existsSync(csv))
    cases.push({
      name: 'CSV 1,000,000 x 11 (probabilities)',
      file: csv,
      elements: 1_000_000 * 10,
      pass: (clock) => classifierPass(clock, 10, csvBlocks(clock, csv, 10)),
    });
  const npy = join(data, 'logits.npy');
  const labels = join(data, 'labels.npy');
  if (existsSync(npy) && existsSync(labels))
    cases.push({
      name: '.npy pair 4,000,000 x 10 float32 (logits)',
      file: npy,
      elements: 4_000_000 * 10,
      pass: (clock) => classifierPass(clock, 10, npyBlocks(clock, npy, labels, 10)),
    });
  const lm = join(data, 'lm-8x512x32000-bf16.safetensors');
  if (existsSync(lm))
    cases.push({ name: 'LM .safetensors [8, 512, 32000] bfloat16', file: lm, elements: 8 * 512 * 32_000, pass: (clock) => languageModelPass(clock, lm) });
  if (cases.length === 0) throw new Error(`no inputs in ${data}: run \`node bench/run.mjs --inputs-only\` first`);
  const stages = ['read', 'decode', 'scoring', 'reductions', 'merge'];
  const lines = [
    `Per-stage split of one thread's pass (each stage timed apart on the same blocks, medians of ${RUNS}; ns per element = per logit or probability):`,
    '',
    `| input | ${stages.map((stage) => `${stage} (ms)`).join(' | ')} | total (ms) | scoring (ns/element) |`,
    `| --- |${' --- |'.repeat(stages.length + 2)}`,
  ];
  for (const c of cases) {
    const split = medianStages(c.pass);
    const total = [...split.values()].reduce((a, b) => a + b, 0);
    const cells = stages.map((stage) => (split.has(stage) ? (split.get(stage)! * 1e3).toFixed(0) : '-'));
    lines.push(`| ${c.name} | ${cells.join(' | ')} | ${(total * 1e3).toFixed(0)} | ${((split.get('scoring')! * 1e9) / c.elements).toFixed(2)} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
