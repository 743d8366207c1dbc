import { checkIdentity, type Derivation } from '../derivation';
import { latexNumber } from '../format';

/** The entropy of prediction rows when the file has no labels, against its upper bound log K. */
export function predictionEntropyDerivation(n: number, k: number, meanEntropy: number): Derivation {
  const bound = Math.log(k);
  return {
    id: 'prediction-entropy',
    title: 'Entropy of the predictions (no labels)',
    steps: [
      {
        id: 'entropy',
        title: 'Entropy of each prediction row',
        latex: `H(q_i) = -\\sum_{c=1}^{${k}} q_{ic}\\log q_{ic},\\qquad \\frac{1}{${n}}\\sum_{i=1}^{${n}} H(q_i) = ${latexNumber(meanEntropy, 10)}`,
        note: 'With no labels there is no likelihood; the entropy is the cross-entropy the model expects of itself, the loss it would have if its own predictions were the truth (0 log 0 = 0).',
        source: `the ${n} prediction rows`,
      },
      {
        id: 'bound',
        title: 'Between certainty and the uniform guess',
        latex: `0 \\le ${latexNumber(meanEntropy, 10)} \\le \\log ${k} = ${latexNumber(bound, 10)}`,
        note: 'A one-hot row has entropy 0; the uniform row over K classes has the most, log K. The perplexity exp H is the number of equally likely classes with the same uncertainty.',
        check: checkIdentity('0 <= mean H(q) <= log K', Math.min(Math.max(meanEntropy, 0), bound), meanEntropy),
      },
    ],
  };
}
