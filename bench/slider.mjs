// How long a slider step takes in the panel: the sigma slider of a regression over 1,000,000 rows
// (its analysis computed by the real worker), against the same input event on a slider with no
// listener, in the same headless Chromium. Prints medians in milliseconds.
//
//   node bench/slider.mjs        (after `node esbuild.mjs`; needs Debian's chromium)
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { generator, writeLines } from './generate.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'bench', '.data');
const STEPS = 1000;
const require = createRequire(import.meta.url);
const { launchChromium, openPanel, postToPanel, startPanelServer } = require(join(ROOT, 'out', 'test', 'webview', 'harness.js'));

/** Two outputs with their predictions, residuals of spread 0.3 and 0.6. */
function writeRegressionCsv(path, rows) {
  const next = generator(11);
  writeLines(path, 'y0,y1,yhat0,yhat1', rows, () => {
    const a = next() * 10;
    const b = next() * 10;
    return `${a.toFixed(6)},${b.toFixed(6)},${(a + next() - 0.5).toFixed(6)},${(b + 2 * next() - 1).toFixed(6)}`;
  });
}

function analyse(path) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(ROOT, 'dist', 'worker.js'));
    worker.on('message', (reply) => {
      if (reply.type !== 'done') return;
      void worker.terminate();
      if (reply.analysis) resolve(reply.analysis);
      else reject(new Error(reply.error));
    });
    worker.postMessage({ id: 1, source: { kind: 'path', path }, options: {} });
  });
}

/** Mean time of a step (set the value, fire 'input', force the layout the new text needs), over STEPS steps, 7 times. */
async function stepTimes(page, selector) {
  return page.evaluate(
    ({ selector, steps }) => {
      const input = document.querySelector(selector);
      const means = [];
      for (let round = 0; round < 7; round++) {
        // Timed as a batch: performance.now() is coarse in a page that is not cross-origin isolated.
        const started = performance.now();
        for (let i = 0; i < steps; i++) {
          input.value = String((i * 37) % 200);
          input.dispatchEvent(new Event('input'));
          document.body.getBoundingClientRect();
        }
        means.push((performance.now() - started) / steps);
      }
      return means;
    },
    { selector, steps: STEPS },
  );
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

mkdirSync(DATA, { recursive: true });
const csv = join(DATA, 'regression-1M.csv');
writeRegressionCsv(csv, 1_000_000);
const analysis = await analyse(csv);
const [browser, server] = await Promise.all([launchChromium(), startPanelServer()]);
try {
  const page = await openPanel(browser, server.origin, 'light');
  await postToPanel(page, { type: 'analysis', version: 1, fileUri: 'file:///workspace/regression-1M.csv', analysis, options: {} });
  await page.waitForSelector('[data-testid="sigma-slider"]');
  await page.evaluate(() => {
    const bare = document.createElement('input');
    bare.type = 'range';
    bare.id = 'bare';
    document.body.append(bare);
  });
  const ours = await stepTimes(page, '[data-testid="sigma-slider"]');
  const baseline = await stepTimes(page, '#bare');
  const line = `Sigma slider, regression of ${analysis.summary.n.toLocaleString('en-US')} rows: median over 7 rounds of ${STEPS} steps, ${median(ours).toFixed(3)} ms per step (value, NLL, text, layout), against ${median(baseline).toFixed(3)} ms for a slider with no listener (${(median(ours) / median(baseline)).toFixed(1)}x); a frame is 16.7 ms.`;
  process.stdout.write(`${line}\n`);
} finally {
  await browser.close();
  await server.close();
}
