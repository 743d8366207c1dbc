import type { BinaryCrossEntropyState } from '../binary';
import { checkIdentity, type Derivation, type DerivationStep } from '../derivation';
import { latexNumber, latexScientific } from '../format';
import { scientificFromLog } from '../logSpace';

/** The binary case: Bernoulli likelihood, log-likelihood, BCE, and log L = -n BCE with this file's numbers. */
export function binaryDerivation(state: BinaryCrossEntropyState, columns: string): Derivation {
  const n = state.count;
  const logL = state.logLikelihood;
  const bce = state.bce;
  const steps: DerivationStep[] = [
    {
      id: 'bernoulli-likelihood',
      title: 'Bernoulli likelihood',
      latex: `\\mathcal{L}(\\theta) = \\prod_{i=1}^{${n}} p(y_i{=}1\\mid\\theta)^{y_i}\\,p(y_i{=}0\\mid\\theta)^{1-y_i} = ${latexScientific(scientificFromLog(logL))}`,
      note: `Each of the ${n} labels (${state.positives} ones) contributes the probability the model gave to the outcome that happened.`,
      source: columns,
    },
    {
      id: 'bernoulli-log-likelihood',
      title: 'Log-likelihood',
      latex: `\\log\\mathcal{L}(\\theta) = \\sum_{i=1}^{${n}} y_i\\log p(y_i{=}1\\mid\\theta) + (1-y_i)\\log p(y_i{=}0\\mid\\theta) = ${latexNumber(logL, 10)}`,
      note: 'Only one of the two terms is present in each row; the other is multiplied by 0.',
    },
    {
      id: 'bce',
      title: 'Binary cross-entropy',
      latex: `L(\\theta) = -\\frac{1}{n}\\sum_{i=1}^{n} \\Big(y_i\\log p(y_i{=}1\\mid\\theta) + (1-y_i)\\log p(y_i{=}0\\mid\\theta)\\Big) = ${latexNumber(bce, 10)}`,
      note:
        state.options.input === 'logits'
          ? 'From logits in the stable form max(z, 0) - z y + log1p(exp(-|z|)), summed on its own.'
          : state.clampedRows > 0
            ? `Exact: ${state.clampedRows} row(s) give the observed outcome probability 0, so the loss is infinite. PyTorch clamps each log at -100 and reports ${latexNumber(state.torchBce, 10)}.`
            : 'The mean of the per-row losses, summed on its own.',
    },
    {
      id: 'identity',
      title: 'log L = -n BCE',
      latex: `${latexNumber(logL, 10)} = -${n}\\times ${latexNumber(bce, 10)}`,
      note: 'n > 0 is fixed, so the parameters that maximise log L minimise the BCE; the sign turns max into min, and leaving out 1/n (as some texts do) moves nothing.',
      check: checkIdentity('log L = -n x BCE', logL, -n * bce),
    },
  ];
  return { id: 'binary', title: 'Binary labels: likelihood and binary cross-entropy', steps };
}
