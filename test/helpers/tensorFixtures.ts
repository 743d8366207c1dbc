import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileSource, memorySource, type ByteSource } from '../../src/readers/byteSource';
import { DataFileError } from '../../src/readers/errors';
import type { ReadLimits } from '../../src/readers/limits';
import type { TensorFile } from '../../src/readers/tensor';
import { fixturePath, readJson } from './fixtures';
import { random } from './random';

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
export const fromJson = (value: number | string): number =>
  value === 'nan' ? Number.NaN : value === 'inf' ? Infinity : value === '-inf' ? -Infinity : (value as number);

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
  for (const fragment of want.warnings)
    assert.ok(
      file.warnings.some((w) => w.includes(fragment)),
      `${want.file}: no warning with '${fragment}' in ${JSON.stringify(file.warnings)}`,
    );
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
    assert.ok(
      caught instanceof DataFileError,
      `${file}: expected a DataFileError, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`,
    );
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

export interface CorruptionOptions {
  readonly seed: number;
  /** Corrupted copies of each file. */
  readonly rounds: number;
  /** At most this many bytes overwritten per copy (at least one). */
  readonly maxFlips: number;
  /** Bytes are overwritten within the first `span(file)` bytes: the header, where the parser works. */
  readonly span?: (bytes: Uint8Array) => number;
  /** What a refusal's place must look like. */
  readonly place?: RegExp;
}

/**
 * Overwrites random bytes of copies of each file and asserts that every copy reads or is refused
 * with a DataFileError (whose place matches `place`); returns how many were refused. Seeded, so a
 * failure names the file and round that reproduce it.
 */
export async function corruptionsRefused(
  read: (source: ByteSource) => Promise<unknown>,
  files: readonly { readonly name: string; readonly bytes: Uint8Array }[],
  options: CorruptionOptions,
): Promise<number> {
  const next = random(options.seed);
  let refused = 0;
  for (const { name, bytes: original } of files) {
    const span = Math.min(original.length, options.span?.(original) ?? original.length);
    for (let round = 0; round < options.rounds; round++) {
      const bytes = original.slice();
      const flips = 1 + Math.floor(next() * options.maxFlips);
      for (let f = 0; f < flips; f++) bytes[Math.floor(next() * span)] = Math.floor(next() * 256);
      try {
        await read(memorySource(name, bytes));
      } catch (error) {
        if (!(error instanceof DataFileError))
          assert.fail(`${name} round ${round}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        if (options.place) assert.match(error.place, options.place);
        refused++;
      }
    }
  }
  return refused;
}
