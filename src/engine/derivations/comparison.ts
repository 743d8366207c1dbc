import { checkIdentity, type Derivation, type DerivationStep } from '../derivation';
import { latexNumber, latexScientific, plainNumber } from '../format';
import { scientificFromLog } from '../logSpace';

/** The figures of a paired comparison, each accumulated on its own. */
export interface ComparisonFigures {
  readonly n: number;
  readonly fileA: string;
  readonly fileB: string;
  /** The compensated sums of A's and B's per-row losses over the compared rows. */
  readonly lossSumA: number;
  readonly lossSumB: number;
  /** The compensated sum of the per-row differences lossA - lossB: the ratio reached row by row. */
  readonly differenceSum: number;
  readonly differenceStdError: number;
  readonly normalInterval95: { readonly lower: number; readonly upper: number };
  readonly bootstrapInterval95: { readonly lower: number; readonly upper: number; readonly replicates: number; readonly seed: number };
  /** Each file's log-likelihood from its own analysis pass, when it covers exactly the compared rows. */
  readonly passLogLikelihoodA?: number;
  readonly passLogLikelihoodB?: number;
}

/**
 * From the two cross-entropies to the log likelihood ratio, with the files' numbers: each
 * file's log-likelihood is -n times its cross-entropy, so their difference is -n times the
 * difference of the cross-entropies; its uncertainty comes from the per-row differences.
 */
export function comparisonDerivation(f: ComparisonFigures): Derivation {
  const { n } = f;
  const logLA = -f.lossSumA;
  const logLB = -f.lossSumB;
  const ceA = f.lossSumA / n;
  const ceB = f.lossSumB / n;
  const meanDifference = f.differenceSum / n;
  const ratio = logLA - logLB;
  const logLikelihoodStep = (model: 'A' | 'B', file: string, logL: number, ce: number, pass: number | undefined): DerivationStep => ({
    id: `log-likelihood-${model.toLowerCase()}`,
    title: `Log-likelihood of ${model}`,
    latex: `\\log\\mathcal{L}_${model} = \\sum_{i=1}^{${n}} \\log q_${model}(y_i\\mid x_i) = -n\\,\\mathrm{CE}_${model} = -${n}\\times ${latexNumber(ce, 10)} = ${latexNumber(logL, 12)}`,
    note:
      pass === undefined
        ? `The sum of ${model}'s per-row log-probabilities over the ${n} compared rows of ${file}.`
        : `The sum of ${model}'s per-row log-probabilities over the ${n} compared rows of ${file}; checked against the log-likelihood its own analysis summed.`,
    source: file,
    ...(pass === undefined
      ? { restatement: `-n x CE_${model}` }
      : { check: checkIdentity(`log L_${model} (its analysis) = -n x CE_${model} (compared rows)`, pass, -n * ce) }),
  });
  const steps: DerivationStep[] = [
    logLikelihoodStep('A', f.fileA, logLA, ceA, f.passLogLikelihoodA),
    logLikelihoodStep('B', f.fileB, logLB, ceB, f.passLogLikelihoodB),
    {
      id: 'log-likelihood-ratio',
      title: 'Log likelihood ratio',
      latex: `\\log\\mathcal{L}_A - \\log\\mathcal{L}_B = -n\\,(\\mathrm{CE}_A - \\mathrm{CE}_B) = -${n}\\times\\Big(${latexNumber(ceA, 10)} - ${latexNumber(ceB, 10)}\\Big) = ${latexNumber(ratio, 12)}`,
      note: `A minus B: positive favours A (${f.fileA}), negative favours B (${f.fileB}). Checked against the per-row differences summed on their own: -\u03a3(\u2113A\u1d62 - \u2113B\u1d62) = ${plainNumber(-f.differenceSum, 12)}.`,
      check: checkIdentity('log L_A - log L_B = -sum over rows of (loss A - loss B)', ratio, -f.differenceSum),
    },
    {
      id: 'likelihood-ratio',
      title: 'Likelihood ratio',
      latex: `\\frac{\\mathcal{L}_A}{\\mathcal{L}_B} = e^{${latexNumber(ratio, 8)}} = ${latexScientific(scientificFromLog(ratio))}`,
      note: 'The ratio itself, written from its logarithm: it is far outside the range of a double for any sizeable file.',
      restatement: 'exp(log L_A - log L_B)',
    },
    {
      id: 'difference-interval',
      title: 'Cross-entropy difference and its 95% interval',
      latex: `\\bar d = \\frac{1}{n}\\sum_{i=1}^{n}\\big(\\ell^A_i - \\ell^B_i\\big) = ${latexNumber(meanDifference, 10)},\\quad \\mathrm{se} = \\frac{s_d}{\\sqrt{n}} = ${latexNumber(f.differenceStdError, 6)},\\quad \\bar d \\pm 1.959964\\,\\mathrm{se} = [${latexNumber(f.normalInterval95.lower, 6)},\\ ${latexNumber(f.normalInterval95.upper, 6)}]`,
      note: `The rows are paired, so the uncertainty is that of the per-row differences (s_d, ddof 1), not of either cross-entropy alone. The paired Poisson bootstrap (${f.bootstrapInterval95.replicates} replicates, seed ${f.bootstrapInterval95.seed}) gives [${f.bootstrapInterval95.lower.toPrecision(6)}, ${f.bootstrapInterval95.upper.toPrecision(6)}].`,
      source: `${f.fileA} and ${f.fileB}`,
      check: checkIdentity('mean of the per-row differences = CE_A - CE_B', meanDifference, ceA - ceB),
    },
  ];
  return { id: 'comparison', title: 'Comparing two models: the log likelihood ratio from the cross-entropies', steps };
}
