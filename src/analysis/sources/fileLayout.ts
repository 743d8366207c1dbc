import type { CsvTable } from '../../readers/csv';
import type { Analysis, FileLayout } from '../results';

/** What pandas.read_csv must be told to read a text table as the reader did: only what differs from its defaults. */
export function csvLayout(table: CsvTable): FileLayout {
  return {
    ...(table.delimiter !== ',' ? { delimiter: table.delimiter } : {}),
    ...(table.decimalComma ? { decimalComma: true } : {}),
    ...(!table.hasHeader ? { headerless: true } : {}),
  };
}

export function withFileLayout<A extends Analysis>(analysis: A, layout: FileLayout): A {
  return Object.keys(layout).length === 0 ? analysis : { ...analysis, file: { ...analysis.file, ...layout } };
}
