#!/usr/bin/env node
// npm run bench: times the CLI, whole process, on generated evaluation dumps (a classifier's and
// a causal language model's), and in the same run what a user would otherwise run (pandas +
// NumPy, NumPy, PyTorch) when /usr/bin/python3 has them. Medians of RUNS runs (default 5), peak RSS from /usr/bin/time, values compared.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generator, writeLines } from './generate.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'bench', '.data');
const RUNS = Number(process.env.RUNS ?? 5);
const PYTHON = '/usr/bin/python3';
const TIME = '/usr/bin/time';
mkdirSync(DATA, { recursive: true });

/** Labels and softmax probabilities of random logits nudged towards the label. */
function writeCsv(path, rows, classes) {
  const next = generator(7);
  const z = new Float64Array(classes);
  writeLines(path, `label,${Array.from({ length: classes }, (_, j) => `p${j}`).join(',')}`, rows, () => {
    const label = Math.floor(next() * classes);
    let max = -Infinity;
    for (let j = 0; j < classes; j++) {
      z[j] = (next() - 0.5) * 4 + (j === label ? 1.5 : 0);
      if (z[j] > max) max = z[j];
    }
    let total = 0;
    for (let j = 0; j < classes; j++) total += z[j] = Math.exp(z[j] - max);
    return `${label},${Array.from(z, (v) => (v / total).toFixed(8)).join(',')}`;
  });
}

function npyHeader(descr, shape) {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const bytes = Buffer.alloc(10 + header.length);
  bytes.write('\x93NUMPY', 0, 'latin1');
  bytes[6] = 1;
  bytes.writeUInt16LE(header.length, 8);
  bytes.write(header, 10, 'latin1');
  return bytes;
}

function tensors(rows, classes) {
  const next = generator(11);
  const logits = new Float32Array(rows * classes);
  const labels = new BigInt64Array(rows);
  for (let i = 0; i < rows; i++) {
    const label = Math.floor(next() * classes);
    labels[i] = BigInt(label);
    for (let j = 0; j < classes; j++) logits[i * classes + j] = (next() - 0.5) * 4 + (j === label ? 1.5 : 0);
  }
  return { logits: Buffer.from(logits.buffer), labels: Buffer.from(labels.buffer) };
}

/** A zip of stored members, as np.savez writes (zip64 is not needed below 4 GB). */
function storedZip(members) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (buffers) => {
    let crc = 0xffffffff;
    for (const b of buffers) for (let i = 0; i < b.length; i++) crc = crcTable[(crc ^ b[i]) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  };
  const parts = [];
  const central = [];
  let offset = 0;
  for (const { name, data } of members) {
    const size = data.reduce((a, b) => a + b.length, 0);
    const crc = crc32(data);
    const local = Buffer.alloc(30 + name.length);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(size, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.write(name, 30);
    const entry = Buffer.alloc(46 + name.length);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(size, 20);
    entry.writeUInt32LE(size, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    entry.write(name, 46);
    parts.push(local, ...data);
    central.push(entry);
    offset += local.length + size;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return [...parts, directory, end];
}

function writeParts(path, parts) {
  const fd = openSync(path, 'w');
  for (const part of parts) writeSync(fd, part);
  closeSync(fd);
}

function writeTensorFiles(rows, classes) {
  const paths = { npy: join(DATA, 'logits.npy'), npz: join(DATA, 'eval.npz'), safetensors: join(DATA, 'eval.safetensors'), pt: join(DATA, 'eval.pt') };
  if (existsSync(paths.safetensors)) return paths;
  const { logits, labels } = tensors(rows, classes);
  const logitsNpy = [npyHeader('<f4', [rows, classes]), logits];
  const labelsNpy = [npyHeader('<i8', [rows]), labels];
  writeParts(paths.npy, logitsNpy);
  writeParts(join(DATA, 'labels.npy'), labelsNpy);
  writeParts(
    paths.npz,
    storedZip([
      { name: 'logits.npy', data: logitsNpy },
      { name: 'labels.npy', data: labelsNpy },
    ]),
  );
  const header = JSON.stringify({
    logits: { dtype: 'F32', shape: [rows, classes], data_offsets: [0, logits.length] },
    labels: { dtype: 'I64', shape: [rows], data_offsets: [logits.length, logits.length + labels.length] },
  });
  const padded = header + ' '.repeat((8 - (header.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(padded.length));
  writeParts(paths.safetensors, [length, Buffer.from(padded), logits, labels]);
  if (hasPython(['torch', 'numpy'])) {
    execFileSync(PYTHON, [
      '-c',
      `import numpy as np, torch; torch.save({"logits": torch.from_numpy(np.load("${paths.npy}")), "labels": torch.from_numpy(np.load("${join(DATA, 'labels.npy')}"))}, "${paths.pt}")`,
    ]);
  }
  return paths;
}

/**
 * A causal LM's evaluation dump, [B, T, V] bfloat16 logits with their input_ids [B, T]: random
 * logits with a bonus on the next token (a trained model's loss, not log V), written as
 * .safetensors position by position (the 4.2 GB dump never sits in memory) and, when asked and
 * /usr/bin/python3 has PyTorch, as the .pt torch.save writes.
 */
function writeLanguageModelFiles(B, T, V, withPt) {
  const stem = join(DATA, `lm-${B}x${T}x${V}-bf16`);
  const paths = { safetensors: `${stem}.safetensors`, pt: `${stem}.pt` };
  if (!existsSync(paths.safetensors)) {
    const next = generator(13);
    const ids = new BigInt64Array(B * T);
    for (let i = 0; i < B * T; i++) ids[i] = BigInt(Math.floor(next() * V));
    const logitBytes = B * T * V * 2;
    const header = JSON.stringify({
      logits: { dtype: 'BF16', shape: [B, T, V], data_offsets: [0, logitBytes] },
      input_ids: { dtype: 'I64', shape: [B, T], data_offsets: [logitBytes, logitBytes + ids.byteLength] },
    });
    const padded = header + ' '.repeat((8 - (header.length % 8)) % 8);
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(padded.length));
    const fd = openSync(`${paths.safetensors}.partial`, 'w');
    writeSync(fd, length);
    writeSync(fd, Buffer.from(padded));
    // 64 positions a write.
    const chunk = new Uint16Array(64 * V);
    const float = new Float32Array(1);
    const bits = new Uint32Array(float.buffer);
    for (let first = 0; first < B * T; first += 64) {
      const count = Math.min(64, B * T - first);
      for (let p = 0; p < count; p++) {
        const position = first + p;
        const following = position % T === T - 1 ? -1 : Number(ids[position + 1]);
        for (let j = 0; j < V; j++) {
          float[0] = (next() - 0.5) * 6 + (j === following ? 6 : 0);
          // float32 to bfloat16, rounding to nearest even.
          chunk[p * V + j] = (bits[0] + 0x7fff + ((bits[0] >>> 16) & 1)) >>> 16;
        }
      }
      writeSync(fd, new Uint8Array(chunk.buffer, 0, count * V * 2));
    }
    writeSync(fd, Buffer.from(ids.buffer));
    closeSync(fd);
    renameSync(`${paths.safetensors}.partial`, paths.safetensors);
  }
  if (withPt && !existsSync(paths.pt) && hasPython(['torch', 'numpy'])) {
    // The same bytes, through NumPy (bfloat16 as its int16 bits) into torch.save.
    execFileSync(PYTHON, [
      '-c',
      `import json, struct, numpy as np, torch
raw = open("${paths.safetensors}", "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
h = json.loads(raw[8:8 + n])
def part(name, dtype):
    a, b = h[name]["data_offsets"]
    return torch.from_numpy(np.frombuffer(raw, dtype=dtype, count=(b - a) // np.dtype(dtype).itemsize, offset=8 + n + a).copy()).reshape(h[name]["shape"])
torch.save({"logits": part("logits", np.int16).view(torch.bfloat16), "input_ids": part("input_ids", np.int64)}, "${paths.pt}.partial")`,
    ]);
    renameSync(`${paths.pt}.partial`, paths.pt);
  }
  return paths;
}

function hasPython(modules) {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', `import ${modules.join(', ')}`]).status === 0;
}

/**
 * Median wall time (s) and peak RSS (MB) of RUNS runs of each command, and each one's last stdout.
 * The commands take turns, run by run, so a slow spell of the machine (a VM's neighbours) falls
 * on all of them alike and their ratio stays fair.
 */
function measureTogether(commands) {
  const samples = commands.map(() => ({ times: [], rss: [], stdout: '' }));
  for (let run = 0; run < RUNS; run++) {
    commands.forEach(({ command, args, env = process.env }, index) => {
      const result = spawnSync(TIME, ['-f', '%e %M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, env });
      if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
      const [seconds, kilobytes] = result.stderr.trim().split('\n').pop().split(' ').map(Number);
      samples[index].times.push(seconds);
      samples[index].rss.push(kilobytes / 1024);
      samples[index].stdout = result.stdout;
    });
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return samples.map(({ times, rss, stdout }) => ({ seconds: median(times), rssMb: median(rss), stdout }));
}

const PY_CSV = `import sys, numpy as np, pandas as pd
df = pd.read_csv(sys.argv[1])
y = df["label"].to_numpy(np.int64)
p = df[[c for c in df.columns if c != "label"]].to_numpy(np.float64)
print(-np.log(p[np.arange(len(y)), y]).mean())`;
const PY_NPY = `import sys, numpy as np
z = np.load(sys.argv[1]).astype(np.float64); y = np.load(sys.argv[2])
m = z.max(axis=1, keepdims=True)
lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
print((lse - z[np.arange(len(y)), y]).mean())`;
// A Hugging Face causal LM's own loss: logits at t against input_ids at t + 1, in float64.
const PY_LM = `import sys, torch, torch.nn.functional as F
d = torch.load(sys.argv[1])
logits, ids = d["logits"], d["input_ids"]
V = logits.shape[-1]
print(F.cross_entropy(logits[:, :-1].reshape(-1, V).double(), ids[:, 1:].reshape(-1)).item())`;
const PY_PT = `import sys, torch, torch.nn.functional as F
d = torch.load(sys.argv[1])
print(F.cross_entropy(d["logits"].double(), d["labels"]).item())`;

/** Medians of RUNS fresh processes of bench/startup.mjs: activation cost, and how soon a streamed file reports. */
function startupLines(...csvFiles) {
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const runs = (args) =>
    Array.from({ length: RUNS }, () => {
      const result = spawnSync(process.execPath, [join(ROOT, 'bench', 'startup.mjs'), ...args], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`startup.mjs ${args.join(' ')} failed: ${result.stderr}`);
      return JSON.parse(result.stdout);
    });
  const activation = runs(['activation']);
  const lines = [
    `Activation (dist/extension.js against a stand-in vscode API, fresh process): load ${median(activation.map((r) => r.loadMs)).toFixed(1)} ms, activate() ${median(activation.map((r) => r.activateMs)).toFixed(1)} ms.`,
    '',
    '| streamed in the analysis worker | size | first progress (ms) | first partial cross-entropy (ms) | whole analysis (ms) |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const file of csvFiles.filter(existsSync)) {
    const progress = runs(['progress', file]);
    const m = (key) => median(progress.map((r) => r[key])).toFixed(0);
    lines.push(
      `| ${file.split('/').pop()} | ${(statSync(file).size / 2 ** 20).toFixed(0)} MB | ${m('firstProgressMs')} | ${m('firstPartialMs')} | ${m('doneMs')} |`,
    );
  }
  for (const line of lines) console.error(line);
  return lines;
}

function main() {
  if (!existsSync(TIME)) throw new Error(`${TIME} is needed to measure peak memory (Debian package: time)`);
  const cli = join(ROOT, 'dist', 'cli.js');
  const csv = join(DATA, 'classifier-1M.csv');
  console.error('Generating inputs in bench/.data (once)...');
  writeCsv(csv, 1_000_000, 10);
  // --large: a 2.2 GB CSV, past the 2 GB a single Buffer can hold, streamed for the start-up table.
  const large = join(DATA, 'classifier-20M.csv');
  if (process.argv.includes('--large')) writeCsv(large, 20_000_000, 10);
  const paths = writeTensorFiles(4_000_000, 10);
  const lm = writeLanguageModelFiles(8, 512, 32_000, true);
  // --large also: a Llama-3-sized vocabulary, [8, 2048, 128256] bfloat16 (4.2 GB), timed for its throughput and memory.
  const lmLarge = process.argv.includes('--large') ? writeLanguageModelFiles(8, 2048, 128_256, false) : undefined;
  // --inputs-only: write the inputs and stop (they take minutes; the timings can then run apart).
  if (process.argv.includes('--inputs-only')) return;
  const cases = [
    { name: 'CSV 1,000,000 x 11', file: csv, baseline: hasPython(['numpy', 'pandas']) ? ['pandas.read_csv + NumPy', ['-c', PY_CSV, csv]] : undefined },
    {
      name: '.npy pair 4,000,000 x 10 float32',
      file: paths.npy,
      baseline: hasPython(['numpy']) ? ['np.load + NumPy log-sum-exp', ['-c', PY_NPY, paths.npy, join(DATA, 'labels.npy')]] : undefined,
    },
    { name: '.npz (stored) 4,000,000 x 10', file: paths.npz },
    { name: '.safetensors 4,000,000 x 10', file: paths.safetensors },
    ...(existsSync(paths.pt) ? [{ name: '.pt 4,000,000 x 10', file: paths.pt, baseline: ['torch.load + F.cross_entropy', ['-c', PY_PT, paths.pt]] }] : []),
    {
      name: 'LM logits .safetensors [8, 512, 32000] bfloat16',
      file: lm.safetensors,
      // /usr/bin/python3 has no safetensors package: the baseline loads the same tensors from the .pt.
      baseline: existsSync(lm.pt) ? ['torch.load (the same tensors, .pt) + F.cross_entropy, shifted, float64', ['-c', PY_LM, lm.pt]] : undefined,
    },
    ...(existsSync(lm.pt)
      ? [{ name: 'LM logits .pt [8, 512, 32000] bfloat16', file: lm.pt, baseline: ['torch.load + F.cross_entropy, shifted, float64', ['-c', PY_LM, lm.pt]] }]
      : []),
  ];
  const lines = [
    `Likelihood Lens benchmark: ${RUNS} runs each, medians, whole process (\`node dist/cli.js FILE --json\`) with its scoring threads (${availableParallelism()} cores) and on one thread (\`LIKELIHOOD_LENS_THREADS=1\`), taking turns run by run with the baseline; peak RSS from /usr/bin/time.`,
    '',
    '| input | size | ours (s) | ours RSS (MB) | one thread (s) | baseline | baseline (s) | baseline RSS (MB) | ours / baseline | values agree |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const c of cases) {
    const [ours, single, theirs] = measureTogether([
      { command: process.execPath, args: [cli, c.file, '--json'] },
      { command: process.execPath, args: [cli, c.file, '--json'], env: { ...process.env, LIKELIHOOD_LENS_THREADS: '1' } },
      ...(c.baseline ? [{ command: PYTHON, args: c.baseline[1] }] : []),
    ]);
    const value = JSON.parse(ours.stdout).crossEntropy;
    // Threads merge blocks that may end on other rows than one thread's batches: equal to the last digit or two.
    const singleValue = JSON.parse(single.stdout).crossEntropy;
    if (!(Math.abs(singleValue - value) <= 1e-14 * Math.abs(value))) throw new Error(`${c.name}: one thread gives ${singleValue}, threads ${value}`);
    let row = `| ${c.name} | ${(statSync(c.file).size / 2 ** 20).toFixed(0)} MB | ${ours.seconds.toFixed(2)} | ${ours.rssMb.toFixed(0)} | ${single.seconds.toFixed(2)} |`;
    if (c.baseline && theirs) {
      const theirValue = Number(theirs.stdout.trim().split('\n').pop());
      const agree = Math.abs(value - theirValue) <= 1e-9 * Math.abs(theirValue);
      row += ` ${c.baseline[0]} | ${theirs.seconds.toFixed(2)} | ${theirs.rssMb.toFixed(0)} | ${(ours.seconds / theirs.seconds).toFixed(2)} | ${agree ? 'yes' : `NO (${value} vs ${theirValue})`} |`;
    } else row += ' - | - | - | - | - |';
    lines.push(row);
    console.error(row);
  }
  if (lmLarge) {
    const [ours, single] = measureTogether([
      { command: process.execPath, args: [cli, lmLarge.safetensors, '--json'] },
      { command: process.execPath, args: [cli, lmLarge.safetensors, '--json'], env: { ...process.env, LIKELIHOOD_LENS_THREADS: '1' } },
    ]);
    const bytes = statSync(lmLarge.safetensors).size;
    const line =
      `LM logits .safetensors [8, 2048, 128256] bfloat16, ${(bytes / 1e9).toFixed(2)} GB: ${ours.seconds.toFixed(1)} s ` +
      `(${(bytes / 1e9 / ours.seconds).toFixed(2)} GB/s), peak RSS ${ours.rssMb.toFixed(0)} MB; on one thread ${single.seconds.toFixed(1)} s ` +
      `(${(bytes / 1e9 / single.seconds).toFixed(2)} GB/s), ${single.rssMb.toFixed(0)} MB; cross-entropy ${JSON.parse(ours.stdout).crossEntropy}.`;
    lines.push('', line);
    console.error(line);
  }
  lines.push('', ...startupLines(csv, large));
  if (existsSync('/usr/bin/chromium')) {
    const slider = spawnSync(process.execPath, [join(ROOT, 'bench', 'slider.mjs')], { encoding: 'utf8' });
    if (slider.status !== 0) throw new Error(`slider.mjs failed: ${slider.stderr}`);
    lines.push('', slider.stdout.trim());
    console.error(slider.stdout.trim());
  }
  const lmDump = join(DATA, 'lm-8x512x32000-bf16.safetensors');
  if (existsSync(lmDump)) {
    const hover = spawnSync(process.execPath, [join(ROOT, 'bench', 'hover.mjs'), lmDump], { encoding: 'utf8' });
    if (hover.status !== 0) throw new Error(`hover.mjs failed: ${hover.stderr}`);
    lines.push('', hover.stdout.trim());
    console.error(hover.stdout.trim());
  }
  // The log-sum-exp kernel's micro-benchmark, bundled by esbuild.mjs from bench/kernel.ts.
  const kernel = spawnSync(process.execPath, [join(ROOT, 'out', 'bench', 'kernel.js')], { encoding: 'utf8', env: { ...process.env, RUNS: '7' } });
  if (kernel.status !== 0) throw new Error(`kernel.js failed: ${kernel.stderr}`);
  lines.push('', kernel.stdout.trim());
  console.error(kernel.stdout.trim());
  // Where one thread's time goes on the same inputs, bundled by esbuild.mjs from bench/stages.ts.
  const stages = spawnSync(process.execPath, [join(ROOT, 'out', 'bench', 'stages.js'), DATA], {
    encoding: 'utf8',
    env: { ...process.env, RUNS: String(RUNS) },
  });
  if (stages.status !== 0) throw new Error(`stages.js failed: ${stages.stderr}`);
  lines.push('', stages.stdout.trim());
  console.error(stages.stdout.trim());
  // Reads of a Parquet file of many small pages, bundled by esbuild.mjs from bench/parquetReads.ts.
  const parquetReads = spawnSync(process.execPath, [join(ROOT, 'out', 'bench', 'parquetReads.js')], { encoding: 'utf8', env: { ...process.env, RUNS: '7' } });
  if (parquetReads.status !== 0) throw new Error(`parquetReads.js failed: ${parquetReads.stderr}`);
  lines.push('', parquetReads.stdout.trim());
  console.error(parquetReads.stdout.trim());
  const vsix = join(ROOT, 'likelihood-lens.vsix');
  if (existsSync(vsix)) lines.push('', `VSIX: ${(statSync(vsix).size / 1024).toFixed(0)} KB.`);
  const table = `${lines.join('\n')}\n`;
  process.stdout.write(table);
  writeFileSync(join(ROOT, 'bench', 'results.md'), table);
}

main();
