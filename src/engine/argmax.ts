/** Index of the largest of values[offset .. offset+k); ties go to the lowest index, as numpy.argmax and torch.argmax do. */
export function argmaxRow(values: ArrayLike<number>, offset: number, k: number): number {
  let best = 0;
  let bestValue = values[offset]!;
  for (let j = 1; j < k; j++) {
    const v = values[offset + j]!;
    if (v > bestValue) {
      best = j;
      bestValue = v;
    }
  }
  return best;
}
