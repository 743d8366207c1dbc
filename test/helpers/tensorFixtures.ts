import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileSource, type ByteSource } from '../../src/readers/byteSource';
import { DataFileError } from '../../src/readers/errors';
import type { ReadLimits } from '../../src/readers/limits';
import type { TensorFile } from '../../src/readers/tensor';
import { fixturePath, readJson } from './fixtures';

/** test/fixtures/tensors/expected.json, written by gen_tensors.py from NumPy's own values. */
export interface ExpectedTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: number[];
  readonly values: (number | string)[];
}
export interface ExpectedFile {
  readonly file: string;
  readonly format: string;
  readonly tensors: ExpectedTensor[];
  readonly warnings: string[];
  readonly metadata: Record<string, string>;
}
export interface Expected {
  readonly files: ExpectedFile[];
  readonly broken: { readonly file: string; readonly expect: string }[];
}

export const expected = readJson<Expected>(fixturePath('tensors', 'expected.json'));

/** NaN and infinities are spelled as strings in JSON. */
export const fromJson = (value: number | string): number => (value === 'nan' ? Number.NaN : value === 'inf' ? Infinity : value === '-inf' ? -Infinity : (value as number));

/** Exact, element by element: Object.is tells NaN from NaN and -0 from 0 as the file has them. */
export function assertTensors(file: TensorFile, want: ExpectedFile): void {
  assert.deepEqual(
    file.tensors.map((t) => t.name),
    want.tensors.map((t) => t.name),
    `${want.file}: tensor names`,
  );
  want.tensors.forEach((w, index) => {
    const tensor = file.tensors[index]!;
    assert.equal(tensor.dtype, w.dtype, `${want.file} ${w.name}: dtype`);
    assert.deepEqual([...tensor.shape], w.shape, `${want.file} ${w.name}: shape`);
    assert.equal(tensor.data.length, w.values.length, `${want.file} ${w.name}: element count`);
    w.values.forEach((value, i) => {
      const actual = tensor.data[i]!;
      if (!Object.is(actual, fromJson(value))) assert.fail(`${want.file} ${w.name}[${i}]: got ${Object.is(actual, -0) ? '-0' : actual}, expected ${value}`);
    });
  });
  assert.equal(file.warnings.length, want.warnings.length, `${want.file}: warnings ${JSON.stringify(file.warnings)}`);
  for (const fragment of want.warnings) assert.ok(file.warnings.some((w) => w.includes(fragment)), `${want.file}: no warning with '${fragment}' in ${JSON.stringify(file.warnings)}`);
}

/** The refusal a reader must give: a DataFileError, one line, naming the file and a place matching `place`. */
export function refusalChecker(place: RegExp) {
  return async function assertRefused(read: () => Promise<unknown>, file: string, fragment?: string): Promise<DataFileError> {
    let caught: unknown;
    try {
      await read();
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof DataFileError, `${file}: expected a DataFileError, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
    assert.equal(caught.file, file);
    assert.match(caught.place, place, `${file}: place '${caught.place}'`);
    assert.ok(caught.message.startsWith(`${file}: ${caught.place}: `), caught.message);
    assert.ok(!caught.message.includes('\n'), 'one line');
    if (fragment) assert.ok(caught.message.includes(fragment), `${file}: '${caught.message}' lacks '${fragment}'`);
    return caught;
  };
}

export const bytesOf = (...parts: string[]): Uint8Array => new Uint8Array(readFileSync(fixturePath('tensors', ...parts)));

/** Reads a fixture from disk by byte range with `reader`. */
export function fixtureReader(reader: (source: ByteSource, limits?: ReadLimits) => Promise<TensorFile>) {
  return async (name: string, limits?: ReadLimits): Promise<TensorFile> => {
    const source = await fileSource(fixturePath('tensors', name), name);
    try {
      return await reader(source, limits);
    } finally {
      await source.close();
    }
  };
}
