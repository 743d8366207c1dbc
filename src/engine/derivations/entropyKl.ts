import { checkIdentity, type Derivation, type DerivationStep } from '../derivation';
import { latexNumber } from '../format';
import type { SoftTargetState } from '../softTargets';

/** Entropy, cross-entropy and KL divergence of target rows p against predictions q, and H(p,q) = H(p) + KL(p||q). */
export function entropyKlDerivation(state: SoftTargetState): Derivation {
  const n = state.count;
  const h = state.entropy;
  const ce = state.crossEntropy;
  const kl = state.klBatchmean;
  const steps: DerivationStep[] = [
    {
      id: 'entropy',
      tag: '(1)',
      title: 'Entropy of the targets',
      latex: `H(p) = -\\sum_x p(x)\\log p(x) = \\mathbb{E}_p[-\\log p],\\qquad \\frac{1}{${n}}\\sum_i H(p_i) = ${latexNumber(h, 10)}`,
      note: 'The uncertainty in the targets themselves, with 0 log 0 taken as 0 (the limit of x log x). One-hot targets have entropy 0.',
    },
    {
      id: 'kl',
      title: 'Relative entropy (KL divergence)',
      latex: `D_{\\mathrm{KL}}(p\\,\\|\\,q) = \\sum_x p(x)\\log\\frac{p(x)}{q(x)},\\qquad \\frac{1}{${n}}\\sum_i D_{\\mathrm{KL}}(p_i\\|q_i) = ${latexNumber(kl, 10)}`,
      note: 'How much is lost by using q where p is true; zero only when they agree. PyTorch\u2019s kl_div(log q, p, reduction="batchmean") is this average.',
    },
    {
      id: 'cross-entropy',
      tag: '(6)',
      title: 'Cross-entropy',
      latex: `H(p,q) = -\\sum_x p(x)\\log q(x) = \\mathbb{E}_p[-\\log q],\\qquad \\frac{1}{${n}}\\sum_i H(p_i,q_i) = ${latexNumber(ce, 10)}`,
      note: 'Each row summed on its own from p and log q, not derived from the two numbers above.',
    },
    {
      id: 'identity',
      title: 'H(p, q) = H(p) + KL(p || q)',
      latex: `${latexNumber(ce, 10)} = ${latexNumber(h, 10)} + ${latexNumber(kl, 10)}`,
      note: 'Expanding log(p/q) = log p - log q splits the cross-entropy into the entropy and the divergence.',
      check: checkIdentity('sum H(p,q) = sum H(p) + sum KL', state.crossEntropySum.value, state.entropySum.value + state.klSum.value),
    },
    {
      id: 'argmin',
      title: 'Same minimiser',
      latex: `\\arg\\min_\\theta \\sum_i H(p_i, q_\\theta) = \\arg\\min_\\theta \\sum_i D_{\\mathrm{KL}}(p_i\\|q_\\theta)`,
      note: 'H(p) does not depend on the model, so minimising cross-entropy and minimising KL pick the same parameters; cross-entropy is used because it needs no log p.',
    },
  ];
  return { id: 'entropy-kl', title: 'Entropy, cross-entropy and KL divergence', steps };
}
