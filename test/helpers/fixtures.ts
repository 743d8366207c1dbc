import { isClassification, type Analysis, type ClassificationAnalysis } from '../../src/analysis/results';
import { readFileSync } from 'node:fs';
import type { Table } from '../../src/readers/table';
import { join, resolve } from 'node:path';

/** The repository root: tests run from it (`node --test out/test/...`). */
export const REPO_ROOT = resolve(process.cwd());

export function fixturePath(...parts: string[]): string {
  return join(REPO_ROOT, 'test', 'fixtures', ...parts);
}

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Relative difference, with an absolute floor of 1 so values near 0 compare absolutely. */
export function relativeError(actual: number, expected: number): number {
  if (actual === expected) return 0;
  return Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
}

export function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  const error = relativeError(actual, expected);
  if (!(error <= tolerance)) throw new Error(`${what}: got ${actual}, expected ${expected} (relative error ${error} > ${tolerance})`);
}

/** Narrows an analysis to a classifier's, failing the test when the file was read as another task. */
export function classification(analysis: Analysis): ClassificationAnalysis {
  if (!isClassification(analysis)) throw new Error(`expected a classifier's analysis, got task '${analysis.task}'`);
  return analysis;
}

/** A whole CSV/TSV file read from disk into a table, as the editor's text is read. */
export async function readTableFile(path: string): Promise<Table> {
  const { readFile } = await import('node:fs/promises');
  const { basename } = await import('node:path');
  const { checkDataFile, parseTableBytes } = await import('../../src/readers/readDataFile');
  await checkDataFile(path);
  return parseTableBytes(await readFile(path), basename(path));
}
