// Reads of a Parquet file of many small pages: how many reads of the byte source and how long,
// built by esbuild.mjs to out/bench/parquetReads.js, run by bench/run.mjs (or alone:
// `node esbuild.mjs && node out/bench/parquetReads.js`). Medians of RUNS runs (default 7).
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { fileSource, type ByteSource } from '../src/readers/byteSource';
import { readParquet } from '../src/readers/parquet';

const RUNS = Number(process.env.RUNS ?? 7);
const ROWS = 20_000;

function counted(source: ByteSource): { source: ByteSource; reads: () => number } {
  let reads = 0;
  return {
    source: { name: source.name, size: source.size, read: (offset, length) => (reads++, source.read(offset, length)), close: () => source.close() },
    reads: () => reads,
  };
}

async function main(): Promise<void> {
  // Two columns of 20,000 rows, one value per page: 40,000 pages.
  const labels = Array.from({ length: ROWS }, (_, i) => BigInt(i % 3));
  const probabilities = Array.from({ length: ROWS }, (_, i) => 0.2 + (i % 7) / 100);
  const bytes = parquetWriteBuffer({
    columnData: [
      { name: 'label', data: labels, type: 'INT64' },
      { name: 'p', data: probabilities, type: 'DOUBLE' },
    ],
    codec: 'UNCOMPRESSED',
    rowGroupSize: ROWS,
    pageSize: 1,
  });
  const path = join(tmpdir(), `likelihood-lens-many-pages-${process.pid}.parquet`);
  writeFileSync(path, new Uint8Array(bytes));
  const times: number[] = [];
  let reads = 0;
  for (let run = 0; run <= RUNS; run++) {
    const file = counted(await fileSource(path, 'many-pages.parquet'));
    const start = process.hrtime.bigint();
    const table = await readParquet(file.source);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    await file.source.close();
    if (table.rowCount !== ROWS) throw new Error(`read ${table.rowCount} rows, not ${ROWS}`);
    // The first run warms up.
    if (run > 0) times.push(seconds);
    reads = file.reads();
  }
  times.sort((a, b) => a - b);
  const kb = Math.round(bytes.byteLength / 1024);
  console.log(
    `Parquet of ${ROWS * 2} one-value pages (${ROWS} rows x 2 columns, ${kb} KB, one row group): ${reads} reads of the file, ${times[times.length >> 1]!.toFixed(3)} s to read (median of ${RUNS}).`,
  );
}

void main();
