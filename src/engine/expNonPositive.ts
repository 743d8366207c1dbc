/**
 * exp(x) for x <= 0, the only arguments a log-sum-exp needs once the row's maximum is
 * subtracted. It is the hot loop of every logits file (one call per value), and V8's Math.exp
 * costs ~10 ns a call here; this one is a few multiplies. Method (Tang's table-driven exp):
 * x = (64 m + j) ln2/64 + r with |r| <= ln2/128, so exp(x) = 2^m * 2^(j/64) * exp(r), exp(r)
 * by its degree-5 Taylor polynomial (truncation r^6/720 < 4e-17, under half an ulp).
 * Checked against Math.exp to within 2 ulps over [-746, 0] in test/unit/rowScores.test.ts.
 */

const TABLE_SIZE = 64;
/** 2^(j/64), j = 0..63. */
const TWO_TO_J = Float64Array.from({ length: TABLE_SIZE }, (_, j) => Math.exp((j * Math.LN2) / TABLE_SIZE));
/** 2^-m, m = 0..1022: the normal powers of two; results below them are scaled in two steps. */
const TWO_TO_MINUS_M = Float64Array.from({ length: 1023 }, (_, m) => 2 ** -m);
const INV_STEP = TABLE_SIZE / Math.LN2;
// ln2/64 split so that kf * STEP_HI is exact for every |kf| < 2^21 (fdlibm's ln2 hi/lo pair over 64).
const STEP_HI = 6.9314718036912381649e-1 / TABLE_SIZE;
const STEP_LO = 1.90821492927058770002e-10 / TABLE_SIZE;
/** Below this, exp(x) is under half the smallest subnormal. */
const UNDERFLOW = -745.2;

export function expNonPositive(x: number): number {
  if (!(x >= UNDERFLOW)) return x < UNDERFLOW ? 0 : x; // -Infinity -> 0; NaN stays NaN
  const kf = Math.floor(x * INV_STEP + 0.5);
  const r = x - kf * STEP_HI - kf * STEP_LO;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120)))));
  const k = kf | 0;
  // k <= 0: k & 63 is j in 0..63 and m = -(k >> 6) the power of two to divide by.
  const m = -(k >> 6);
  if (m > 1022) return TWO_TO_J[k & 63]! * p * TWO_TO_MINUS_M[m - 64]! * 2 ** -64; // subnormal results
  return TWO_TO_J[k & 63]! * p * TWO_TO_MINUS_M[m]!;
}
