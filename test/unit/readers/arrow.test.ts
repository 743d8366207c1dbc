import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { pythonSnippet } from '../../../src/analysis/report/snippets';
import { analyzeSource } from '../../../src/analysis/sources/analyzeSource';
import { readArrow } from '../../../src/readers/arrow';
import { memorySource } from '../../../src/readers/byteSource';
import { DataFileError } from '../../../src/readers/errors';
import { DEFAULT_LIMITS } from '../../../src/readers/limits';
import { readTensorFile } from '../../../src/readers/readTensorFile';
import type { Table } from '../../../src/readers/table';
import { assertClose, classification, fixturePath, readJson } from '../../helpers/fixtures';

const expected = readJson<{ n: number; classes: number; crossEntropy: number; logLikelihood: number; accuracy: number }>(fixturePath('arrow', 'expected.json'));
const bytesOf = (...parts: string[]) => new Uint8Array(readFileSync(fixturePath(...parts)));
const read = (name: string, limits = DEFAULT_LIMITS) => readArrow(memorySource(name, bytesOf('arrow', name)), limits);
const npy = async (name: string) => (await readTensorFile(fixturePath('arrow', name))).tensors[0]!;
const column = (table: Table, name: string) => table.columns.find((c) => c.name === name) ?? assert.fail(`no column ${name}`);

/** Both NaN, or equal. */
const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) || a === b;

/** Each fixture and its layout: the file format (Feather v2) or the stream format. */
const CLASSIFIERS: Record<string, string> = {
  'classifier.feather': 'arrow',
  'classifier_stream.arrow': 'arrow stream',
  'classifier_zstd.arrow': 'arrow',
  'classifier_lz4.arrow': 'arrow stream',
  'classifier_bigendian.arrow': 'arrow',
};

describe('Arrow IPC reader', () => {
  for (const [name, format] of Object.entries(CLASSIFIERS)) {
    it(`${name}: the list column is K columns of the stored logits, and the loss is F.cross_entropy's`, async () => {
      const logits = await npy('logits.npy');
      const labels = await npy('labels.npy');
      const table = await read(name);
      assert.equal(table.format, format);
      assert.equal(table.rowCount, expected.n);
      assert.deepEqual(
        table.columns.map((c) => c.name),
        ['label', ...Array.from({ length: expected.classes }, (_, j) => `logits_${j}`)],
      );
      assert.deepEqual(Array.from(column(table, 'label').values), Array.from(labels.data));
      for (let j = 0; j < expected.classes; j++)
        assert.deepEqual(
          Array.from(column(table, `logits_${j}`).values),
          Array.from({ length: expected.n }, (_, i) => logits.data[i * expected.classes + j]!),
        );
      const analysis = classification(await analyzeSource({ kind: 'path', path: fixturePath('arrow', name) }));
      assert.equal(analysis.file.format, table.format);
      assert.equal(analysis.roles.target, 'label');
      assert.equal(analysis.summary.n, expected.n);
      assertClose(analysis.summary.crossEntropy, expected.crossEntropy, 1e-12, 'cross-entropy');
      assertClose(analysis.summary.logLikelihood, expected.logLikelihood, 1e-12, 'log-likelihood');
    });
  }

  it('the copied Python snippet reads the file with pandas (or pyarrow for a stream) and spreads its list columns as the reader does', async () => {
    for (const [name, read] of [
      ['classifier.feather', 'df = pd.read_feather("classifier.feather")'],
      ['classifier_stream.arrow', 'df = pa.ipc.open_stream("classifier_stream.arrow").read_pandas()'],
    ] as const) {
      const snippet = pythonSnippet(await analyzeSource({ kind: 'path', path: fixturePath('arrow', name) }));
      assert.ok(snippet.includes(read), snippet);
      assert.ok(snippet.includes('.add_prefix(f"{c}_")'), snippet);
      assert.ok(snippet.includes('df[["logits_0", "logits_1", "logits_2", "logits_3", "logits_4"]]'), snippet);
    }
  });

  it('a datasets-style stream: text is listed, a ragged token list is listed and named in a warning', async () => {
    const table = await read('classifier_stream.arrow');
    assert.deepEqual(
      table.textColumns.map((c) => c.name),
      ['text', 'input_ids'],
    );
    assert.equal(table.warnings.length, 1);
    assert.match(table.warnings[0]!, /^column 'input_ids' is not read: its lists differ in length \(row 0 holds 1 values, row 1 2\)$/);
  });

  it('every numeric type as NumPy stores it, nulls as NaN, a fixed_size_list with null rows', async () => {
    const table = await read('types.arrow');
    const valid = (await npy('type_valid.npy')).data;
    assert.equal(table.rowCount, valid.length);
    for (const name of ['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float16', 'float32', 'float64', 'bool']) {
      const values = (await npy(`type_${name}.npy`)).data;
      const got = column(table, name).values;
      for (let i = 0; i < valid.length; i++) {
        const want = valid[i] ? Number(values[i]) : Number.NaN;
        assert.ok(same(got[i]!, want), `${name}[${i}]: got ${got[i]}, expected ${want}`);
      }
    }
    const float64 = (await npy('type_float64.npy')).data;
    for (let i = 0; i < valid.length; i++) {
      assert.ok(same(column(table, 'pair_0').values[i]!, valid[i] ? float64[i]! : Number.NaN));
      assert.ok(same(column(table, 'pair_1').values[i]!, valid[i] ? -float64[i]! : Number.NaN));
    }
  });

  describe("files Arrow's own implementations wrote (apache/arrow-testing), against their JSON twins", () => {
    for (const name of [
      'generated_primitive.arrow_file',
      'generated_primitive.stream',
      'bigendian_primitive.arrow_file',
      'generated_zstd.arrow_file',
      'generated_lz4.stream',
      'generated_uncompressible_lz4.stream',
    ]) {
      it(name, async () => {
        const table = await readArrow(memorySource(name, bytesOf('arrow', 'apache', name)));
        const json = JSON.parse(gunzipSync(bytesOf('arrow', 'apache', name.replace(/\.(arrow_file|stream)$/, '.json.gz'))).toString()) as {
          schema: { fields: { name: string; type: { name: string }; dictionary?: unknown }[] };
          batches: { count: number; columns: { name: string; count: number; VALIDITY: number[]; DATA: (number | string | boolean)[] }[] }[];
        };
        let checked = 0;
        let row = 0;
        for (const batch of json.batches) {
          batch.columns.forEach((data, index) => {
            const field = json.schema.fields[index]!;
            if (!['int', 'floatingpoint', 'bool'].includes(field.type.name) || field.dictionary) return;
            const values = column(table, data.name).values;
            for (let i = 0; i < data.count; i++, checked++) {
              const want = data.VALIDITY[i] ? Number(data.DATA[i]) : Number.NaN;
              // The JSON prints float32 values to a few digits; integers and booleans exactly.
              const close = same(values[row + i]!, want) || Math.abs(values[row + i]! - want) <= 1e-6 * Math.abs(want);
              assert.ok(close, `${data.name}[${row + i}]: got ${values[row + i]}, expected ${want}`);
            }
          });
          row += batch.count;
        }
        assert.equal(table.rowCount, row);
        assert.ok(checked > 0);
      });
    }
  });

  describe('bad files: one line naming the file and the place, never another error', () => {
    const refused = async (name: string, bytes: Uint8Array, pattern: RegExp, limits = DEFAULT_LIMITS) => {
      await assert.rejects(readArrow(memorySource(name, bytes), limits), (error: unknown) => {
        assert.ok(error instanceof DataFileError, String(error));
        assert.match(error.message, pattern);
        return true;
      });
    };

    it('Feather version 1 is refused with how to save it again', async () => {
      await refused('old.feather', new TextEncoder().encode('FEA1\0\0\0\0FEA1'), /^old\.feather: byte 0: Feather version 1 is not read/);
    });

    it('bytes that are neither the file format nor a stream', async () => {
      await refused('x.arrow', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), /^x\.arrow: byte 0: the stream ends before its schema$/);
      await refused('x.arrow', new TextEncoder().encode('a,b\n1,2\n'), /^x\.arrow: the message at byte 0: /);
    });

    it('a file format file cut short names its footer', async () => {
      const bytes = bytesOf('arrow', 'classifier.feather');
      await refused('classifier.feather', bytes.subarray(0, bytes.length - 3), /^classifier\.feather: the footer: the file should end with 'ARROW1'/);
    });

    it('the limits: decoded size, metadata size, batches', async () => {
      const bytes = bytesOf('arrow', 'classifier.feather');
      await refused('classifier.feather', bytes, /exceed the 0 MB the reader may decode \(setting likelihoodLens\.limits\.maxTensorMB\)$/, {
        ...DEFAULT_LIMITS,
        maxTensorBytes: 1000,
      });
      await refused('classifier.feather', bytes, /over the limit \(setting likelihoodLens\.limits\.maxHeaderMB\)$/, { ...DEFAULT_LIMITS, maxHeaderBytes: 64 });
      await refused(
        'classifier_stream.arrow',
        bytesOf('arrow', 'classifier_stream.arrow'),
        /more than 2 messages \(setting likelihoodLens\.limits\.maxTensors\)$/,
        {
          ...DEFAULT_LIMITS,
          maxTensors: 2,
        },
      );
    });

    it('a compression ratio over the limit is refused before inflating', async () => {
      await refused(
        'classifier_zstd.arrow',
        bytesOf('arrow', 'classifier_zstd.arrow'),
        /over the limit \(setting likelihoodLens\.limits\.maxCompressionRatio\)$/,
        {
          ...DEFAULT_LIMITS,
          maxCompressionRatio: 0.01,
        },
      );
    });

    for (const name of ['classifier.feather', 'classifier_stream.arrow', 'classifier_zstd.arrow', 'classifier_lz4.arrow']) {
      it(`${name}: every cut and many damaged bytes read or are refused by name`, async () => {
        const bytes = bytesOf('arrow', name);
        const attempt = async (damaged: Uint8Array, what: string) => {
          try {
            await readArrow(memorySource(name, damaged));
          } catch (error) {
            assert.ok(error instanceof DataFileError, `${what}: ${String(error)}`);
            assert.ok(error.message.startsWith(`${name}: `), error.message);
            assert.ok(!error.message.includes('\n'));
          }
        };
        for (let length = 0; length < bytes.length; length += 13) await attempt(bytes.subarray(0, length), `cut at ${length}`);
        // A fixed pseudo-random sample of positions (a linear congruential sequence), so a run is repeatable.
        let seed = 12345;
        for (let trial = 0; trial < 400; trial++) {
          seed = (seed * 1103515245 + 12345) % 2 ** 31;
          const at = seed % bytes.length;
          const value = [0x00, 0xff, 0x7f, 0x80][trial % 4]!;
          const damaged = bytes.slice();
          damaged[at] = value;
          await attempt(damaged, `byte ${at} = ${value}`);
        }
      });
    }
  });
});
