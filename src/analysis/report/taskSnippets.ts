import { plainNumber } from '../../engine/format';
import type { EntropyAnalysis, FitAnalysis, RegressionAnalysis, SoftAnalysis } from '../results';

const py = (text: string) => JSON.stringify(text);

/** Loads named columns of a table (pandas) as a float64 tensor; tensor files are loaded by name. */
function loader(analysis: SoftAnalysis | RegressionAnalysis | FitAnalysis | EntropyAnalysis): { lines: string[]; columns: (names: readonly string[]) => string } {
  const { file } = analysis;
  if (file.format === 'csv' || file.format === 'tsv' || file.format === 'parquet') {
    const read = file.format === 'parquet' ? `pd.read_parquet(${py(file.name)})` : `pd.read_csv(${py(file.name)}${file.format === 'tsv' ? ', sep="\\t"' : ''})`;
    return { lines: [`df = ${read}`], columns: (names) => `torch.tensor(df[[${names.map(py).join(', ')}]].to_numpy(), dtype=torch.float64)` };
  }
  return {
    lines: [`data = ...  # load ${py(file.name)} as a dict of tensors`],
    columns: (names) => `torch.as_tensor(data[${py(names[0]!.replace(/\[.*$/, ''))}], dtype=torch.float64).reshape(-1, ${names.length})`,
  };
}

/** Python that reproduces the headline numbers of a soft, regression or fit analysis from the same file. */
export function taskSnippet(analysis: SoftAnalysis | RegressionAnalysis | FitAnalysis | EntropyAnalysis): string {
  const { lines, columns } = loader(analysis);
  const head = ['import numpy as np', 'import pandas as pd', 'import torch', 'import torch.nn.functional as F', '', ...lines];
  const expect = (value: number) => `  # Likelihood Lens: ${plainNumber(value, 12)}`;
  switch (analysis.task) {
    case 'soft': {
      const { roles, summary } = analysis;
      const logQ = roles.kind === 'logits' ? 'F.log_softmax(q, dim=1)' : roles.kind === 'logprobs' ? 'q' : 'torch.log(q)';
      return [
        ...head,
        `p = ${columns(roles.targets)}`,
        `q = ${columns(roles.predictions)}`,
        `log_q = ${logQ}`,
        `print((-(torch.special.xlogy(p, torch.ones_like(p)) + p * log_q).sum(1)).mean().item())${expect(summary.crossEntropy)}`,
        `print(-torch.special.xlogy(p, p).sum(1).mean().item())${expect(summary.entropy)}`,
        `print(F.kl_div(log_q, p, reduction="batchmean").item())${expect(summary.kl)}`,
        '',
      ].join('\n');
    }
    case 'regression': {
      const { roles, summary } = analysis;
      const variance = summary.predictedVariance;
      return [
        ...head,
        `y = ${columns(roles.targets)}`,
        `y_hat = ${columns(roles.predictions)}`,
        `print(F.mse_loss(y_hat, y).item())${expect(summary.mse)}`,
        `sigma = ${summary.sigma}`,
        `print(-torch.distributions.Normal(y_hat, sigma).log_prob(y).sum().item())${expect(summary.gaussianNll)}`,
        ...(variance ? [`var = ${columns(roles.variance)}`, `print(F.gaussian_nll_loss(y_hat, y, var, full=${variance.full ? 'True' : 'False'}, eps=${variance.eps}).item())${expect(variance.mean)}`] : []),
        '',
      ].join('\n');
    }
    case 'entropy': {
      const { roles, summary } = analysis;
      const logQ = roles.kind === 'logits' ? 'F.log_softmax(q, dim=1)' : roles.kind === 'logprobs' ? 'q' : 'torch.log(q)';
      return [
        ...head,
        `q = ${columns(roles.predictions)}`,
        `log_q = ${logQ}`,
        `print(-(log_q.exp() * log_q).nan_to_num().sum(dim=1).mean().item())${expect(summary.entropy)}`,
        '',
      ].join('\n');
    }
    case 'fit': {
      const { roles, summary } = analysis;
      const logpdf: Record<string, string> = {
        bernoulli: 'st.bernoulli.logpmf(x, x.mean())',
        categorical: 'np.log(np.bincount(x.astype(int))[x.astype(int)] / len(x))',
        gaussian: 'st.norm.logpdf(x, *st.norm.fit(x))',
        poisson: 'st.poisson.logpmf(x, x.mean())',
        exponential: 'st.expon.logpdf(x, *st.expon.fit(x, floc=0))',
      };
      return [...head, 'import scipy.stats as st', `x = ${columns([roles.target])}.numpy().ravel()`, `print(np.sum(${logpdf[summary.dist]}))${expect(summary.logLikelihood)}`, ''].join('\n');
    }
  }
}
