import { checkIdentity, type Derivation, type DerivationStep } from '../derivation';
import { latexNumber, latexScientific } from '../format';
import { scientificFromLog } from '../logSpace';

export interface ConditionalFigures {
  readonly n: number;
  /** sum_i log q(y_i|x_i), summed from the log-probabilities. */
  readonly logLikelihood: number;
  /** Mean per-row loss -log q(y_i|x_i), summed by another route than logLikelihood (the one-hot cross-entropy, or the BCE), so (6) checks (5). */
  readonly meanLoss: number;
  /** What the model is, in words, e.g. "the classifier's probabilities". */
  readonly modelName: string;
}

/**
 * Equations (4)-(9) of the conditional derivation: from the conditional likelihood to the
 * training loss, then the two steps that make it a joint cross-entropy without moving the
 * argmin (adding -log p(x_i), then letting the model's marginal of x be p(x)).
 */
export function conditionalMleDerivation(f: ConditionalFigures): Derivation {
  const n = f.n;
  const likelihood = scientificFromLog(f.logLikelihood);
  const steps: DerivationStep[] = [
    {
      id: 'cond-likelihood',
      tag: '(4)',
      title: 'Conditional likelihood',
      latex: `\\hat\\theta = \\arg\\max_\\theta \\prod_{i=1}^{${n}} q_\\theta(y_i \\mid x_i),\\qquad \\prod_i q_\\theta(y_i\\mid x_i) = ${latexScientific(likelihood)}`,
      note: `Only the targets are modelled, given the inputs: ${f.modelName} assign this probability to the observed targets together.`,
    },
    {
      id: 'cond-log-likelihood',
      tag: '(5)',
      title: 'Conditional log-likelihood',
      latex: `\\sum_{i=1}^{${n}} \\log q_\\theta(y_i \\mid x_i) = ${latexNumber(f.logLikelihood, 10)}`,
      note: 'Same maximiser as (4), because log is increasing; a sum instead of a product.',
    },
    {
      id: 'dl-objective',
      tag: '(6)',
      title: 'The training loss',
      latex: `\\frac{1}{n}\\sum_{i=1}^{n} -\\log q_\\theta(y_i \\mid x_i) = ${latexNumber(f.meanLoss, 10)}`,
      note: 'Divide by -n: a minimisation with the same solution. This is the usual cross-entropy loss; strictly, a conditional cross-entropy.',
      check: checkIdentity('sum log q = -n x mean loss', f.logLikelihood, -n * f.meanLoss),
    },
    {
      id: 'add-log-px',
      tag: '(7)',
      title: 'Adding a term that does not depend on theta',
      latex: `\\arg\\min_\\theta \\frac{1}{n}\\sum_{i=1}^{n} \\Big(-\\log q_\\theta(y_i\\mid x_i) - \\log p(x_i)\\Big)`,
      note: 'The true density of the inputs p(x_i) is unknown but fixed: adding -log p(x_i) shifts the objective by a constant and leaves the argmin where it was. Its value is not in the file, so no number is shown.',
    },
    {
      id: 'model-marginal',
      tag: '(8)',
      title: 'Letting the model use the true input distribution',
      latex: `q_\\theta(x) :\\equiv p(x) \\;\\Rightarrow\\; -\\log q_\\theta(y_i\\mid x_i) - \\log q_\\theta(x_i) = -\\log q_\\theta(y_i, x_i)`,
      note: 'Declaring the model\u2019s marginal of x to be p(x) changes nothing about q(y|x), and turns the sum into a joint log-likelihood.',
    },
    {
      id: 'joint-cross-entropy',
      tag: '(9)',
      title: 'A cross-entropy over pairs',
      latex: `\\arg\\min_\\theta \\frac{1}{n}\\sum_{i=1}^{n} -\\log q_\\theta(y_i, x_i) \\;\\xrightarrow{n\\to\\infty}\\; \\arg\\min_\\theta \\mathbb{E}_{p(x,y)}[-\\log q_\\theta(y, x)]`,
      note: 'By the law of large numbers the average tends to the cross-entropy between the data distribution of (x, y) and the model: minimising the training loss is maximum likelihood.',
    },
  ];
  return { id: 'conditional-mle', title: 'Conditional maximum likelihood and the training loss', steps };
}
