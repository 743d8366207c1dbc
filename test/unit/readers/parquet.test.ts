import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyzeSource } from '../../../src/analysis/sources/analyzeSource';
import { memorySource, type ByteSource } from '../../../src/readers/byteSource';
import { DataFileError } from '../../../src/readers/errors';
import { readParquet } from '../../../src/readers/parquet';
import { DEFAULT_LIMITS } from '../../../src/readers/limits';
import { readTensorFile } from '../../../src/readers/readTensorFile';
import { parseTableBytes } from '../../../src/readers/readDataFile';
import { analyzeTable } from '../../../src/analysis/sources/table';
import { checkColumnChunk } from '../../../src/readers/parquetPages';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { parquetMetadata } from 'hyparquet';
import { assertClose, classification, fixturePath, readJson } from '../../helpers/fixtures';

interface TypedSpec {
  expected: { values: Record<string, number[]>; n: number; crossEntropy: number; logLikelihood: number };
}
interface EdgesSpec {
  expected: { half: (number | string)[]; halfSignBits: boolean[]; wide_bytes: number[]; wide_fixed: number[]; int64_dec: number[] };
}

const expected = readJson<Record<string, { crossEntropy: number; logLikelihood: number; n: number }>>(fixturePath('classifier', 'expected.json'));

describe('Parquet reader', () => {
  for (const name of [
    'basic_snappy.parquet',
    'basic_plain.parquet',
    'basic_gzip.parquet',
    'basic_brotli.parquet',
    'basic_zstd.parquet',
    'basic_lz4_raw.parquet',
    'basic_lz4_hadoop.parquet',
  ]) {
    it(`${name}: the cross-entropy PyTorch gives for the same numbers in CSV`, async () => {
      const analysis = classification(await analyzeSource({ kind: 'path', path: fixturePath('parquet', name) }));
      assert.equal(analysis.file.format, 'parquet');
      assert.equal(analysis.roles.target, 'label');
      assert.deepEqual(analysis.roles.predictions, ['p0', 'p1', 'p2', 'p3']);
      assert.equal(analysis.summary.n, expected['basic.csv']!.n);
      assertClose(analysis.summary.crossEntropy, expected['basic.csv']!.crossEntropy, 1e-12, 'cross-entropy');
      assertClose(analysis.summary.logLikelihood, expected['basic.csv']!.logLikelihood, 1e-12, 'log-likelihood');
    });
  }

  it('reads DECIMAL columns of each physical type and FLOAT16 as Python and NumPy read them in float64', async () => {
    const { typed } = readJson<{ typed: TypedSpec }>(fixturePath('parquet', 'typed_spec.json'));
    const table = await readParquet(memorySource('typed.parquet', readFileSync(fixturePath('parquet', 'typed.parquet'))));
    for (const [name, values] of Object.entries(typed.expected.values))
      assert.deepEqual(Array.from(table.columns.find((c) => c.name === name)!.values), values, name);
    const analysis = classification(await analyzeSource({ kind: 'path', path: fixturePath('parquet', 'typed.parquet') }));
    assert.deepEqual(analysis.roles.predictions, ['logit_0', 'logit_1', 'logit_2', 'logit_3', 'logit_4']);
    assert.equal(analysis.summary.n, typed.expected.n);
    assertClose(analysis.summary.crossEntropy, typed.expected.crossEntropy, 1e-12, 'cross-entropy');
    assertClose(analysis.summary.logLikelihood, typed.expected.logLikelihood, 1e-12, 'log-likelihood');
  });

  it("FLOAT16's subnormals, extremes, infinities, NaN and -0, and DECIMALs beyond 2^53, negative or 16 bytes wide, to the last bit", async () => {
    const { edges } = readJson<{ edges: EdgesSpec }>(fixturePath('parquet', 'typed_spec.json'));
    const table = await readParquet(memorySource('edges.parquet', readFileSync(fixturePath('parquet', 'edges.parquet'))));
    const column = (name: string) => Array.from(table.columns.find((c) => c.name === name)!.values);
    const half = column('half');
    assert.deepEqual(
      half,
      edges.expected.half.map((v) => (typeof v === 'number' ? v : v === 'nan' ? Number.NaN : v === 'inf' ? Infinity : -Infinity)),
    );
    assert.deepEqual(
      half.map((v) => Object.is(v, -0) || v < 0),
      edges.expected.halfSignBits,
    );
    for (const name of ['wide_bytes', 'wide_fixed', 'int64_dec'] as const) assert.deepEqual(column(name), edges.expected[name], name);
    assert.deepEqual(table.textColumns, []);
  });

  it("reads pandas' own to_parquet output (pyarrow, snappy, dictionary pages)", async () => {
    const bytes = readFileSync(fixturePath('parquet', 'pandas_simple.parquet'));
    const table = await readParquet(memorySource('pandas_simple.parquet', bytes));
    assert.equal(table.rowCount, 3);
    assert.deepEqual(
      table.columns.map((c) => [c.name, Array.from(c.values)]),
      [['A', [1, 2, 3]]],
    );
    assert.deepEqual(
      table.textColumns.map((column) => column.name),
      ['B'],
    );
  });

  it('a broken or truncated file gives one line naming the file, never another error', async () => {
    const bytes = readFileSync(fixturePath('parquet', 'basic_snappy.parquet'));
    const cuts = [0, 4, 8, 100, bytes.length >> 1, bytes.length - 9, bytes.length - 1];
    for (const cut of cuts) {
      const truncated = memorySource('cut.parquet', bytes.subarray(0, cut));
      await assert.rejects(readParquet(truncated), (error: unknown) => {
        assert.ok(error instanceof DataFileError, `cut at ${cut}: ${String(error)}`);
        assert.match(error.message, /^cut\.parquet: /);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    }
    await assert.rejects(
      readParquet(memorySource('text.parquet', new TextEncoder().encode('label,p0\n0,1\n'))),
      /^DataFileError: text\.parquet: not a Parquet file/,
    );
  });

  it('a cut or damaged footer is one line saying what is wrong with it and at which byte', async () => {
    const bytes = readFileSync(fixturePath('parquet', 'basic_snappy.parquet'));
    const size = bytes.length;
    const footerLength = bytes.readUInt32LE(size - 8);
    const hex = (part: Uint8Array) => Array.from(part, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
    const read = (name: string, file: Uint8Array) => readParquet(memorySource(name, file));
    await assert.rejects(read('cut.parquet', bytes.subarray(0, 100)), {
      message: `cut.parquet: the footer should end with 'PAR1' at byte 96 but has ${hex(bytes.subarray(96, 100))}: the file is cut short or damaged`,
    });
    await assert.rejects(read('tiny.parquet', bytes.subarray(0, 8)), {
      message: 'tiny.parquet: the footer is missing: the file ends at byte 8, before the 12 bytes of the smallest Parquet file',
    });
    const longFooter = Uint8Array.from(bytes);
    new DataView(longFooter.buffer).setUint32(size - 8, size, true);
    await assert.rejects(read('long.parquet', longFooter), {
      message: `long.parquet: the footer's length at byte ${size - 8} is ${size} bytes, more than the ${size - 12} between the magic numbers: the file is cut short or damaged`,
    });
    const garbled = Uint8Array.from(bytes);
    garbled.fill(0xff, size - 8 - footerLength, size - 8);
    await assert.rejects(read('garbled.parquet', garbled), (error: unknown) => {
      assert.ok(error instanceof DataFileError);
      assert.match(
        error.message,
        new RegExp(
          `^garbled\\.parquet: footer at byte ${size - 8 - footerLength}: its ${footerLength} bytes cannot be read as a Parquet footer \\(the data is damaged\\)$`,
        ),
      );
      return true;
    });
    await assert.rejects(read('text.parquet', new TextEncoder().encode('label,p0\n0,1\n')), {
      message: "text.parquet: not a Parquet file: it starts with 6c 61 62 65, not 'PAR1'",
    });
  });

  it('a column asked for that is absent, or text, is named with the columns the file has', async () => {
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: 'label', data: [0, 1, 1], type: 'INT32' },
        { name: 'p, 1', data: [0.2, 0.7, 0.9], type: 'DOUBLE' },
        { name: 'note', data: ['a', 'b', 'c'], type: 'STRING' },
      ],
    });
    const table = await readParquet(memorySource('named.parquet', new Uint8Array(bytes)));
    await assert.rejects(analyzeTable(table, 'named.parquet', { target: 'y' }), {
      message: "named.parquet: no column named 'y' (numeric columns: label, 'p, 1'; text columns: note)",
    });
    await assert.rejects(analyzeTable(table, 'named.parquet', { target: 'label', predictions: ['note', 'q'] }), {
      message: "named.parquet: no column named 'q'; 'note' is a text column, not numbers (numeric columns: label, 'p, 1'; text columns: note)",
    });
  });

  it('a null is a missing value: left out and named by its row, as an empty CSV cell is by its line; refused when strict', async () => {
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: 'label', data: [0, 1, null, 1], type: 'INT32' },
        { name: 'p0', data: [0.8, 0.3, 0.5, 0.4], type: 'DOUBLE' },
        { name: 'p1', data: [0.2, 0.7, 0.5, 0.6], type: 'DOUBLE' },
      ],
    });
    const table = await readParquet(memorySource('nulls.parquet', new Uint8Array(bytes)));
    assert.deepEqual(Array.from(table.columns[0]!.values), [0, 1, Number.NaN, 1]);
    const left = classification(await analyzeTable(table, 'nulls.parquet'));
    assert.equal(left.summary.n, 3);
    assert.equal(left.file.rows, 4);
    assert.ok(left.warnings.includes('1 row with a missing value (NaN, null or an empty cell) was left out: row 2.'), left.warnings.join('\n'));
    await assert.rejects(analyzeTable(table, 'nulls.parquet', { strictMissing: true }), { message: 'nulls.parquet: row 2: the label is missing (NaN)' });
    const csv = parseTableBytes(new TextEncoder().encode('label,p0,p1\n0,0.8,0.2\n1,0.3,0.7\n,0.5,0.5\n1,0.4,0.6\n'), 'nulls.csv');
    assert.ok(classification(await analyzeTable(csv, 'nulls.csv')).warnings.some((warning) => warning.endsWith('left out: line 4.')));
    await assert.rejects(analyzeTable(csv, 'nulls.csv', { strictMissing: true }), { message: 'nulls.csv: line 4: the label is missing (NaN)' });
  });

  it('a codec it cannot decode is refused by name, with the column', async () => {
    const identity = (bytes: Uint8Array) => bytes;
    const bytes = parquetWriteBuffer({
      columnData: [{ name: 'label', data: [0, 1, 1], type: 'DOUBLE' }],
      codec: 'LZO',
      compressors: { LZO: identity },
    });
    await assert.rejects(readParquet(memorySource('lzo.parquet', new Uint8Array(bytes))), {
      message: "lzo.parquet: row group 0, column 'label': LZO compression is not supported (supported: UNCOMPRESSED, SNAPPY, GZIP, BROTLI, LZ4_RAW, LZ4, ZSTD)",
    });
  });

  it('a file the fuzzer sent into an endless loop is refused at once, naming the page', async () => {
    const bytes = readFileSync(fixturePath('fuzz', 'page-claims-2-billion-levels.parquet'));
    await assert.rejects(readParquet(memorySource('looping.parquet', bytes)), {
      message: "looping.parquet: column 'p0', page at byte 127: the page header's data page v2 header lacks required field 6",
    });
  });
});

/** A Thrift compact-protocol PageHeader, as Parquet writers lay it out. */
function pageHeader(type: number, uncompressed: number, compressed: number, nestedField: number, nested: readonly (readonly [number, number])[]): number[] {
  const varint = (n: number) => {
    const out: number[] = [];
    for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
    out.push(n);
    return out;
  };
  const i32 = (n: number) => varint(n >= 0 ? 2 * n : -2 * n - 1);
  const bytes = [0x15, ...i32(type), 0x15, ...i32(uncompressed), 0x15, ...i32(compressed), ((nestedField - 3) << 4) | 12];
  let last = 0;
  for (const [id, value] of nested) {
    bytes.push(((id - last) << 4) | 5, ...i32(value));
    last = id;
  }
  return [...bytes, 0, 0];
}

describe('Parquet page headers are checked before decoding', () => {
  const chunk = (header: number[], body: number) => memorySource('pages.parquet', new Uint8Array([...header, ...new Uint8Array(body)]));
  const v2 = (values: number, levels: number, size = 64) =>
    pageHeader(3, size, size, 8, [
      [1, values],
      [2, 0],
      [3, values],
      [4, 0],
      [5, levels],
      [6, 0],
    ]);

  it('a well-formed page passes', async () => {
    const header = v2(10, 4);
    await checkColumnChunk(chunk(header, 64), { column: 'p0', start: 0, end: header.length + 64, rows: 10 });
  });

  const refusals: [string, number[], number, string][] = [
    ['more values than the row group has rows', v2(2 ** 31 - 1, 4), 64, 'the pages hold 2147483647 values but the row group has 10 rows'],
    [
      'a body past the end of the chunk',
      v2(10, 4, 1000),
      64,
      `the page's 1000 bytes run past the end of its column chunk (byte ${v2(10, 4, 1000).length + 64})`,
    ],
    ['level bytes beyond the page', v2(10, 500), 64, "the levels' 500 bytes exceed the page's 64"],
    [
      'a size no numeric page can have',
      pageHeader(0, 2 ** 30, 64, 5, [
        [1, 10],
        [2, 0],
        [3, 0],
        [4, 0],
      ]),
      64,
      'a page of 10 numbers cannot decompress to 1073741824 bytes',
    ],
    [
      'a required field missing',
      pageHeader(3, 64, 64, 8, [
        [1, 10],
        [2, 0],
        [3, 10],
      ]),
      64,
      "the page header's data page v2 header lacks required fields 4, 5, 6",
    ],
    ['a header cut short', v2(10, 4).slice(0, 9), 0, 'the page header is cut short'],
  ];
  for (const [what, header, body, reason] of refusals) {
    it(`refuses ${what}, naming the column and the page's byte offset`, async () => {
      const source = chunk(header, body);
      await assert.rejects(checkColumnChunk(source, { column: 'p0', start: 0, end: Math.min(source.size, header.length + 64), rows: 10 }), {
        message: `pages.parquet: column 'p0', page at byte 0: ${reason}`,
      });
    });
  }

  it('a chunk outside the file is refused before any read', async () => {
    const source = chunk(v2(10, 4), 64);
    await assert.rejects(checkColumnChunk(source, { column: 'p0', start: 40, end: 10_000, rows: 10 }), {
      message: `pages.parquet: column 'p0': the column chunk at bytes 40-10000 lies outside the ${source.size}-byte file`,
    });
  });
});

describe('Parquet column chunks are read whole', () => {
  const bytes = readFileSync(fixturePath('parquet', 'basic_many_pages.parquet'));
  // The chunks' byte ranges as the footer gives them, read by hyparquet, not by the reader under test.
  const spans = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer).row_groups.flatMap((group) =>
    group.columns.map(({ meta_data }) => {
      const start = Number(meta_data!.dictionary_page_offset || meta_data!.data_page_offset);
      return { start, end: start + Number(meta_data!.total_compressed_size) };
    }),
  );

  function countingSource(name: string): { source: ByteSource; reads: [number, number][] } {
    const inner = memorySource(name, bytes);
    const reads: [number, number][] = [];
    return {
      reads,
      source: {
        name,
        size: inner.size,
        read: (offset, length) => {
          reads.push([offset, offset + length]);
          return inner.read(offset, length);
        },
        close: () => inner.close(),
      },
    };
  }

  it('one read per column chunk for a file of 1,000 one-value pages, and the numbers of basic.csv', async () => {
    assert.equal(spans.length, 15, '3 row groups of 5 columns');
    const { source, reads } = countingSource('basic_many_pages.parquet');
    const table = await readParquet(source);
    const chunkReads = reads.filter(([start, end]) => spans.some((span) => start < span.end && end > span.start));
    assert.deepEqual(
      chunkReads.sort((a, b) => a[0] - b[0]),
      spans.map((span) => [span.start, span.end]),
    );
    // The rest is the footer: its frame's two ends, then the footer itself.
    assert.equal(reads.length - chunkReads.length, 3);
    const csv = parseTableBytes(readFileSync(fixturePath('classifier', 'basic.csv')), 'basic.csv');
    assert.equal(table.rowCount, 200);
    for (const column of csv.columns)
      assert.deepEqual(Array.from(table.columns.find((c) => c.name === column.name)!.values), Array.from(column.values), column.name);
  });

  it('returns the chunk it read whole; walks a chunk longer than the read bound in windows, checking every page', async () => {
    const span = spans[0]!;
    const { source, reads } = countingSource('basic_many_pages.parquet');
    assert.deepEqual(await checkColumnChunk(source, { column: 'label', start: span.start, end: span.end, rows: 80 }), bytes.subarray(span.start, span.end));
    assert.equal(reads.length, 1);

    // 70,000 one-value pages make a chunk over the 2 MB smallest window: read in two windows, not returned.
    const rows = 70_000;
    const long = new Uint8Array(
      parquetWriteBuffer({
        columnData: [{ name: 'p', data: Array.from({ length: rows }, (_, i) => i / rows), type: 'DOUBLE' }],
        codec: 'UNCOMPRESSED',
        pageSize: 1,
        rowGroupSize: rows,
        statistics: false,
      }),
    );
    const meta = parquetMetadata(long.buffer as ArrayBuffer).row_groups[0]!.columns[0]!.meta_data!;
    const chunk = { column: 'p', start: Number(meta.data_page_offset), end: Number(meta.data_page_offset) + Number(meta.total_compressed_size), rows };
    assert.ok(chunk.end - chunk.start > 2 << 20, `${chunk.end - chunk.start} bytes`);
    const longReads: number[] = [];
    const longSource: ByteSource = {
      ...memorySource('long.parquet', long),
      read: (offset, length) => (longReads.push(length), memorySource('long.parquet', long).read(offset, length)),
    };
    assert.equal(await checkColumnChunk(longSource, chunk, 1), undefined);
    assert.equal(longReads.length, 2);
    // The last page's values are over the count: found in the second window.
    await assert.rejects(checkColumnChunk(longSource, { ...chunk, rows: rows - 1 }, 1), {
      message: /^long\.parquet: column 'p', page at byte \d+: the pages hold 70000 values but the row group has 69999 rows$/,
    });
  });
});

describe('Parquet list columns', () => {
  const listExpected = readJson<{ n: number; classes: number; crossEntropy: number; logLikelihood: number }>(fixturePath('arrow', 'expected.json'));
  const logitsOf = async () => (await readTensorFile(fixturePath('arrow', 'logits.npy'))).tensors[0]!.data;

  for (const name of ['lists_float.parquet', 'lists_double.parquet']) {
    it(`${name}: a list<${name.includes('float') ? 'float' : 'double'}> of K logits a row is K columns, scored as F.cross_entropy scores them`, async () => {
      const logits = await logitsOf();
      const table = await readParquet(memorySource(name, new Uint8Array(readFileSync(fixturePath('parquet', name)))));
      assert.deepEqual(
        table.columns.map((column) => column.name),
        ['label', ...Array.from({ length: listExpected.classes }, (_, j) => `logits_${j}`)],
      );
      for (let j = 0; j < listExpected.classes; j++)
        assert.deepEqual(
          Array.from(table.columns[1 + j]!.values),
          Array.from({ length: listExpected.n }, (_, i) => logits[i * listExpected.classes + j]!),
        );
      assert.deepEqual(table.warnings, ["column 'input_ids' is not read: its lists differ in length (row 0 holds 1 values, row 1 2)"]);
      assert.deepEqual(table.textColumns, [{ name: 'input_ids' }]);
      const analysis = classification(await analyzeSource({ kind: 'path', path: fixturePath('parquet', name) }));
      assert.equal(analysis.roles.target, 'label');
      assert.equal(analysis.summary.n, listExpected.n);
      assertClose(analysis.summary.crossEntropy, listExpected.crossEntropy, 1e-12, 'cross-entropy');
      assertClose(analysis.summary.logLikelihood, listExpected.logLikelihood, 1e-12, 'log-likelihood');
    });
  }

  it('a null list is a row of NaN, a null element one NaN', async () => {
    const logits = await logitsOf();
    const table = await readParquet(memorySource('lists_nulls.parquet', new Uint8Array(readFileSync(fixturePath('parquet', 'lists_nulls.parquet')))));
    const k = listExpected.classes;
    for (let j = 0; j < k; j++)
      for (let i = 0; i < listExpected.n; i++) {
        const want = i === 3 || (i === 5 && j === 1) ? Number.NaN : logits[i * k + j]!;
        assert.ok(Object.is(table.columns[1 + j]!.values[i], want), `logits_${j}[${i}]: got ${table.columns[1 + j]!.values[i]}, expected ${want}`);
      }
  });

  it('list values over the decoding limit are refused with the setting', async () => {
    const bytes = new Uint8Array(readFileSync(fixturePath('parquet', 'lists_double.parquet')));
    await assert.rejects(readParquet(memorySource('lists_double.parquet', bytes), { ...DEFAULT_LIMITS, maxTensorBytes: 2000 }), (error: unknown) => {
      assert.ok(error instanceof DataFileError);
      assert.match(
        error.message,
        /^lists_double\.parquet: row group \d+, column '[a-z_.]+': the list columns' values exceed .* \(setting likelihoodLens\.limits\.maxTensorMB\)$/,
      );
      return true;
    });
  });
});

describe('Parquet snappy pages', () => {
  it('a literal whose 4-byte length is negative as a signed integer is refused as too long, not read backwards', async () => {
    const bytes = new Uint8Array(readFileSync(fixturePath('fuzz', 'snappy-negative-literal.parquet')));
    await assert.rejects(readParquet(memorySource('snappy-negative-literal.parquet', bytes)), {
      message: 'snappy-negative-literal.parquet: row group 2: the data cannot be decoded: the data is damaged',
    });
  });
});
