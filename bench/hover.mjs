// The token view's hover: the model's top 5 tokens at one position, asked of the analysis
// worker (dist/worker.js) as the panel asks it, on a language model's [8, 512, 32000] bfloat16
// dump. Each answer reads one position's 32,000 logits by byte range. Prints one line.
//   node bench/hover.mjs FILE.safetensors
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';

const ROUNDS = 41;
const file = process.argv[2];
if (!file) throw new Error('usage: node bench/hover.mjs FILE.safetensors');
const worker = new Worker(join(import.meta.dirname, '..', 'dist', 'worker.js'));
const ask = (id, sequence, position) =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const onMessage = (reply) => {
      if (reply.id !== id || reply.type === 'progress') return;
      worker.off('message', onMessage);
      if (reply.type !== 'done' || !reply.alternatives) reject(new Error(reply.error ?? `no alternatives for ${sequence}, ${position}`));
      else resolve(performance.now() - started);
    };
    worker.on('message', onMessage);
    worker.postMessage({ type: 'run', id, action: 'alternatives', sequence, position, source: { kind: 'path', path: file }, options: {} });
  });
const times = [];
for (let i = 0; i < ROUNDS; i++) times.push(await ask(i + 1, i % 8, (i * 37) % 511));
await worker.terminate();
const first = times[0];
const rest = times.slice(1).sort((a, b) => a - b);
const median = rest[Math.floor(rest.length / 2)];
console.log(
  `Token view hover, [8, 512, 32000] bfloat16 .safetensors: the top 5 tokens at one position from the analysis worker in ${median.toFixed(1)} ms (median of ${rest.length}, slowest ${rest.at(-1).toFixed(1)} ms; the first, with the worker starting, ${first.toFixed(0)} ms); a frame is 16.7 ms.`,
);
