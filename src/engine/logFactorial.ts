import { CompensatedSum } from './compensatedSum';

const TABLE_SIZE = 1024;
let table: Float64Array | undefined;

/** log(m!) for m < TABLE_SIZE, summed with compensation once. */
function smallTable(): Float64Array {
  if (!table) {
    table = new Float64Array(TABLE_SIZE);
    const sum = new CompensatedSum();
    for (let m = 2; m < TABLE_SIZE; m++) {
      sum.add(Math.log(m));
      table[m] = sum.value;
    }
  }
  return table;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log(m!) for a non-negative integer m: a table below 1024, Stirling's series above, where
 * its first omitted term is below 1e-30 of the result (float64-exact).
 */
export function logFactorial(m: number): number {
  if (m < TABLE_SIZE) return smallTable()[m]!;
  const x = m + 1;
  const inv = 1 / x;
  const inv2 = inv * inv;
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)));
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + series;
}

/**
 * r(m) = log(m!) - (m log m - m), the part of log m! that Stirling's leading terms leave: about
 * 0.5 log(2 pi m), so it keeps its digits where log m! itself is too large to subtract from
 * (a Poisson log-likelihood at counts near 2^50 is m log lambda - lambda - log m!, all ~1e16).
 */
export function logFactorialRemainder(m: number): number {
  if (m === 0) return 0;
  if (m < TABLE_SIZE) return smallTable()[m]! - m * Math.log(m) + m;
  const inv = 1 / m;
  const inv2 = inv * inv;
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)));
  return 0.5 * Math.log(m) + HALF_LOG_2PI + series;
}
