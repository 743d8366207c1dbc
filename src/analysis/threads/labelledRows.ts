/** Rows read as [label, score_0 .. score_{k-1}], split into the labels and the [rows, k] scores. */
export function labelsAndScores(values: Float64Array, rows: number, k: number): { labels: Float64Array; scores: Float64Array } {
  const labels = new Float64Array(rows);
  const scores = new Float64Array(rows * k);
  for (let i = 0, from = 0, to = 0; i < rows; i++) {
    labels[i] = values[from++]!;
    for (let j = 0; j < k; j++) scores[to++] = values[from++]!;
  }
  return { labels, scores };
}
