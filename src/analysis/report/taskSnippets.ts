import type { PredictionKind } from '../../engine/categorical';
import { expectComment, importLines, snippetData, type SnippetData } from './snippetData';
import type { EntropyAnalysis, FitAnalysis, RegressionAnalysis, SoftAnalysis } from '../results';

const logQ = (kind: PredictionKind) => (kind === 'logits' ? 'F.log_softmax(q, dim=1)' : kind === 'logprobs' ? 'q' : 'torch.log(q)');

/** log q(x) of each value under the fitted family, with the MLE SciPy computes from the same values. */
const FIT_LOG_DENSITY: Record<FitAnalysis['summary']['dist'], string> = {
  bernoulli: 'st.bernoulli.logpmf(x, x.mean())',
  categorical: 'np.log(np.bincount(x.astype(int))[x.astype(int)] / len(x))',
  gaussian: 'st.norm.logpdf(x, *st.norm.fit(x))',
  poisson: 'st.poisson.logpmf(x, x.mean())',
  exponential: 'st.expon.logpdf(x, *st.expon.fit(x, floc=0))',
};

/** The lines after the loading ones, and the imports they need. */
function taskLines(analysis: SoftAnalysis | RegressionAnalysis | FitAnalysis | EntropyAnalysis, load: SnippetData): { imports: string[]; lines: string[] } {
  const torchImports = ['import torch', 'import torch.nn.functional as F'];
  switch (analysis.task) {
    case 'soft': {
      const { roles, summary } = analysis;
      // p_c = 0 puts no weight on log q_c, even where q_c = 0.
      const crossEntropy = roles.kind === 'logits' ? 'F.cross_entropy(q, p)' : '-torch.where(p > 0, p * log_q, torch.zeros_like(p)).sum(dim=1).mean()';
      return {
        imports: torchImports,
        lines: [
          `p = ${load.matrix(roles.targets)}`,
          `q = ${load.matrix(roles.predictions)}`,
          `log_q = ${logQ(roles.kind)}`,
          `print(${crossEntropy}.item())${expectComment('cross-entropy H(p, q)', summary.crossEntropy)}`,
          `print(torch.special.entr(p).sum(dim=1).mean().item())${expectComment('entropy H(p)', summary.entropy)}`,
          `print(F.kl_div(log_q, p, reduction="batchmean").item())${expectComment('KL(p || q)', summary.kl)}`,
        ],
      };
    }
    case 'regression': {
      const { roles, summary } = analysis;
      const variance = summary.predictedVariance;
      return {
        imports: torchImports,
        lines: [
          `y = ${load.matrix(roles.targets)}`,
          `y_hat = ${load.matrix(roles.predictions)}`,
          `sigma = ${summary.sigma}`,
          `print(-torch.distributions.Normal(y_hat, sigma).log_prob(y).sum(dim=1).mean().item())${expectComment('Gaussian NLL per row', summary.crossEntropy)}`,
          `print(F.mse_loss(y_hat, y).item())${expectComment('MSE', summary.mse)}`,
          ...(variance
            ? [
                `var = ${load.matrix(roles.variance)}`,
                `print(F.gaussian_nll_loss(y_hat, y, var, full=${variance.full ? 'True' : 'False'}, eps=${variance.eps}).item())${expectComment('F.gaussian_nll_loss', variance.mean)}`,
              ]
            : []),
        ],
      };
    }
    case 'entropy': {
      const { roles, summary } = analysis;
      return {
        imports: torchImports,
        lines: [
          `q = ${load.matrix(roles.predictions)}`,
          `log_q = ${logQ(roles.kind)}`,
          // 0 log 0 = 0: the NaN of a zero probability's term is left out.
          `print((-log_q.exp() * log_q).nansum(dim=1).mean().item())${expectComment('mean entropy of the predictions', summary.entropy)}`,
        ],
      };
    }
    case 'fit': {
      const { roles, summary } = analysis;
      return {
        imports: ['import numpy as np', 'import scipy.stats as st'],
        lines: [
          `x = ${load.values(roles.target)}`,
          `log_q = ${FIT_LOG_DENSITY[summary.dist]}`,
          `print(float(-log_q.mean()))${expectComment(`average NLL of the ${summary.dist} fit`, summary.crossEntropy)}`,
          `print(float(log_q.sum()))${expectComment('log-likelihood', summary.logLikelihood)}`,
        ],
      };
    }
  }
}

/** Python that reproduces the numbers of a soft, regression, fit or entropy analysis from the same file; its first print is the headline. */
export function taskSnippet(analysis: SoftAnalysis | RegressionAnalysis | FitAnalysis | EntropyAnalysis): string {
  const load = snippetData(analysis);
  const { imports, lines } = taskLines(analysis, load);
  return [...importLines(load.imports, imports), '', ...load.lines, ...lines, ''].join('\n');
}
