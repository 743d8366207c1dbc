import { checkIdentity, type Derivation, type DerivationStep } from '../derivation';
import { latexNumber, latexScientific } from '../format';
import { LN10, float64ProductFromLogs, scientificFromLog } from '../logSpace';
import { sumOf } from '../compensatedSum';

/**
 * Why logs: the likelihood as mantissa x 10^exponent from the summed logs, beside what
 * multiplying the per-row likelihoods in float64 gives (0 once the product drops below
 * 4.9e-324). `logs` are the per-row log-likelihoods log q(x_i) in file order.
 */
export function whyLogsDerivation(logs: ArrayLike<number>): Derivation {
  const n = logs.length;
  const logL = sumOf(logs);
  const likelihood = scientificFromLog(logL);
  const product = float64ProductFromLogs(logs);
  const log10L = logL / LN10;
  const steps: DerivationStep[] = [
    {
      id: 'product',
      tag: '(8)',
      title: 'The product in floating point',
      latex:
        product.underflowRow === undefined
          ? `\\prod_{i=1}^{${n}} q(x_i) = ${latexNumber(product.value)}\\;\\text{in float64}`
          : `\\prod_{i=1}^{${n}} q(x_i) = 0\\;\\text{in float64 (from row ${product.underflowRow + 1})}`,
      note:
        product.underflowRow === undefined
          ? 'Each factor is at most 1, so the product shrinks with every row; here it is still above the smallest double.'
          : 'Each factor is at most 1; after enough rows the product falls below the smallest float64 (about 4.9e-324) and becomes exactly 0, so it cannot compare models any more.',
    },
    {
      id: 'sum-of-logs',
      tag: '(9)',
      title: 'The sum of logs',
      latex: `\\log L = \\sum_{i=1}^{${n}} \\log q(x_i) = ${latexNumber(logL, 10)}`,
      note: 'Logs of numbers in (0, 1] are moderate negative numbers; their sum stays representable and has the same argmax as the product.',
    },
    {
      id: 'scientific',
      title: 'The likelihood, written out',
      latex: `\\log_{10} L = ${latexNumber(log10L, 10)} \\;\\Rightarrow\\; L = ${latexScientific(likelihood)}`,
      note: 'The integer part of log10 L is the exponent and 10 to the fractional part is the mantissa: the exact likelihood, no product formed.',
      check: checkIdentity(
        'log10 L = exponent + log10 mantissa',
        log10L,
        likelihood.mantissa === 0 ? -Infinity : likelihood.exponent + Math.log10(likelihood.mantissa),
      ),
    },
    {
      id: 'scaled',
      tag: '(10)',
      title: 'Scaled by 1/n',
      latex: `\\frac{1}{n}\\log L = ${latexNumber(logL / n, 10)}`,
      note: 'Dividing by n keeps the argmax and gives the average log-likelihood per row, whose negative is the cross-entropy.',
    },
  ];
  return { id: 'why-logs', title: 'Why work with logs', steps };
}
