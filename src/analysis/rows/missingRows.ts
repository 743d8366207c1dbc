import type { MissingRows } from '../../engine/missingValues';
import { NOTED_ROWS } from '../../engine/rowScores';
import type { RowBatch } from './rowBatch';

/**
 * The warning for rows left out for a missing value, naming the first few by `describe` ("line
 * 4", "row 2"): "3 rows with a missing value were left out: lines 4, 9, 12".
 */
export function missingRowsWarning(missing: { readonly count: number; readonly rows: readonly number[] }, describe: (row: number) => string): string {
  const { count, rows } = missing;
  const places = rows.map(describe);
  const unit = /^(\w+) /.exec(places[0] ?? '')?.[1];
  const shared = unit !== undefined && places.every((place) => place.startsWith(`${unit} `)) && /^(line|row)$/.test(unit);
  const named = shared && places.length > 1 ? `${unit}s ${places.map((place) => place.slice(unit.length + 1)).join(', ')}` : places.join(', ');
  const more = count > rows.length ? ` and ${count - rows.length} more` : '';
  return `${count} ${count === 1 ? 'row' : 'rows'} with a missing value (NaN, null or an empty cell) ${count === 1 ? 'was' : 'were'} left out: ${named}${more}.`;
}

/**
 * The batches without their rows that have a NaN in any column the task reads, counted into
 * `missing`. A batch with none passes as it is; one with some is copied without them, each kept
 * row's file row in `rows` so that errors and plots still name it.
 */
export async function* withoutMissingRows(
  batches: Iterable<RowBatch> | AsyncIterable<RowBatch>,
  missing: MissingRows,
  missingLines: Map<number, number>,
): AsyncGenerator<RowBatch> {
  for await (const batch of batches) {
    const { values, rows } = batch;
    const width = rows > 0 ? values.length / rows : 0;
    let first = -1;
    for (let i = 0; i < rows * width && first < 0; i++) if (values[i] !== values[i]) first = Math.floor(i / width);
    if (first < 0) {
      yield batch;
      continue;
    }
    const kept = new Float64Array(values.length);
    const fileRows: number[] = [];
    const lines: number[] = [];
    let to = 0;
    for (let i = 0; i < rows; i++) {
      const at = batch.fileRows?.[i] ?? batch.firstRow + i;
      let hasNaN = false;
      for (let j = 0; j < width; j++) if (values[i * width + j] !== values[i * width + j]) hasNaN = true;
      if (hasNaN) {
        if (missing.rows.length < NOTED_ROWS && batch.lines) missingLines.set(at, batch.lines[i]!);
        missing.add(at);
        continue;
      }
      kept.set(values.subarray(i * width, (i + 1) * width), to * width);
      fileRows.push(at);
      if (batch.lines) lines.push(batch.lines[i]!);
      to++;
    }
    if (to === 0) continue;
    yield { rows: to, firstRow: batch.firstRow, values: kept.subarray(0, to * width), fileRows, ...(batch.lines ? { lines } : {}) };
  }
}
