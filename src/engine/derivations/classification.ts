import { checkIdentity, type Derivation, type DerivationStep } from '../derivation';
import { latexNumber, latexScientific, latexText } from '../format';
import { LN10, type ScientificNumber } from '../logSpace';

export interface ClassificationFigures {
  readonly n: number;
  readonly k: number;
  /** sum_i log q(y_i|x_i), summed from the log-probabilities themselves. */
  readonly logLikelihood: number;
  /** Mean over rows of -sum_c p(c|x_i) log q(c|x_i) with the one-hot p, summed over every class apart from logLikelihood. */
  readonly crossEntropy: number;
  readonly likelihood: ScientificNumber;
  /** The row after which a float64 product of the likelihoods is 0, if it underflows. */
  readonly underflowRow: number | undefined;
  /** A row to show the one-hot step with: its label and the model's probability of it. */
  readonly example: { readonly row: number; readonly label: number; readonly probability: number; readonly loss: number; readonly where: string };
  readonly targetName: string;
  readonly predictionNames: readonly string[];
}

/**
 * Conditional maximum likelihood for a classifier, from the likelihood product to the
 * cross-entropy, each step carrying this file's numbers (equations 4-6 of the conditional
 * MLE derivation, then the one-hot form of the cross-entropy).
 */
export function classificationDerivation(f: ClassificationFigures): Derivation {
  const n = f.n;
  const avgNll = -f.logLikelihood / n;
  const log10L = f.logLikelihood / LN10;
  const columns = `${f.targetName} against ${f.predictionNames.join(', ')}`;
  const steps: DerivationStep[] = [
    {
      id: 'likelihood',
      tag: '(4)',
      title: 'Conditional likelihood',
      latex: `L(\\theta) = \\prod_{i=1}^{${n}} q_\\theta(y_i \\mid x_i) = ${latexScientific(f.likelihood)}`,
      note:
        f.underflowRow === undefined
          ? `The probability the model gives to the ${n} observed labels together, assuming rows are independent.`
          : `The probability the model gives to the ${n} observed labels together. Multiplied out in float64 it is 0 from row ${f.underflowRow + 1} on; here it is worked out from its logarithm.`,
      source: columns,
    },
    {
      id: 'log-likelihood',
      tag: '(5)',
      title: 'Conditional log-likelihood',
      latex: `\\log L(\\theta) = \\sum_{i=1}^{${n}} \\log q_\\theta(y_i \\mid x_i) = ${latexNumber(f.logLikelihood, 10)}`,
      note: 'The logarithm is increasing, so it keeps the maximiser, turns the product into a sum and never underflows.',
      source: columns,
    },
    {
      id: 'average-nll',
      tag: '(6)',
      title: 'Average negative log-likelihood',
      latex: `-\\frac{1}{n}\\log L(\\theta) = -\\frac{${latexNumber(f.logLikelihood, 10)}}{${n}} = ${latexNumber(avgNll, 10)}`,
      note: 'Dividing by n > 0 and changing the sign turns arg max into arg min without moving it: this is the training objective.',
    },
    {
      id: 'one-hot',
      title: 'Classification: the one-hot target',
      latex:
        `q_\\theta(y_i \\mid x_i) = e_{y_i}^{\\top} M_\\theta(x_i)` +
        `\\qquad\\text{${latexText(f.example.where)}: } y = ${f.example.label},\\; -\\log ${latexNumber(f.example.probability)} = ${latexNumber(f.example.loss)}`,
      note: `The model outputs ${f.k} class probabilities; the one-hot vector e_y picks the probability of the observed class.`,
      source: f.example.where,
    },
    {
      id: 'cross-entropy',
      title: 'Cross-entropy with the labels',
      latex:
        `H(p, q_\\theta) = \\frac{1}{n}\\sum_{i=1}^{n} \\Big(-\\sum_{c=0}^{${f.k - 1}} p(c \\mid x_i) \\log q_\\theta(c \\mid x_i)\\Big)` +
        ` = \\frac{1}{n}\\sum_{i=1}^{n} -\\log q_\\theta(y_i \\mid x_i) = ${latexNumber(f.crossEntropy, 10)}`,
      note: 'With the one-hot label distribution p, each row\u2019s cross-entropy keeps only the true class: the categorical cross-entropy. Here it is summed over every class with p, in its own sum, not taken from log L.',
    },
    {
      id: 'identity',
      title: 'Maximum likelihood = minimum cross-entropy',
      latex: `\\log L(\\theta) = -n \\cdot H(p, q_\\theta):\\quad ${latexNumber(f.logLikelihood, 10)} = -${n} \\times ${latexNumber(f.crossEntropy, 10)}`,
      note: 'The two objectives differ by the factor -n, so the same parameters maximise one and minimise the other. Left: the picked log-probabilities; right: the cross-entropy over every class; each has its own sum.',
      check: checkIdentity('log L = -n x CE', f.logLikelihood, -n * f.crossEntropy),
    },
    {
      id: 'base-10',
      title: 'The likelihood itself',
      latex: `\\log_{10} L = \\frac{\\log L}{\\ln 10} = ${latexNumber(log10L, 10)} \\;\\Rightarrow\\; L = ${latexScientific(f.likelihood)}`,
      note: 'Splitting log10 L into integer and fractional parts gives the exponent and mantissa, with no product ever formed.',
      check: checkIdentity(
        'log10 L = log L / ln 10',
        log10L,
        f.likelihood.mantissa === 0 ? -Infinity : f.likelihood.exponent + Math.log10(f.likelihood.mantissa),
      ),
    },
  ];
  return { id: 'classification', title: 'Maximum likelihood and cross-entropy for a classifier', steps };
}
