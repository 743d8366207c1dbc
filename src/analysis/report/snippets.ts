import { plainNumber } from '../../engine/format';
import { languageModelSnippet } from './languageModelSnippet';
import { taskSnippet } from './taskSnippets';
import { isClassification, type Analysis, type ClassificationAnalysis } from '../results';

const py = (text: string) => JSON.stringify(text);

/** How to load the target and predictions of this file in Python, by format. */
function loadLines(analysis: ClassificationAnalysis): string[] {
  const { file, roles } = analysis;
  const target = py(roles.target);
  switch (file.format) {
    case 'csv':
    case 'tsv':
      return [
        `df = pd.read_csv(${py(file.name)}${file.format === 'tsv' ? ', sep="\\t"' : ''})`,
        `y = torch.tensor(df[${target}].to_numpy(), dtype=torch.long)`,
        `scores = torch.tensor(df[[${roles.predictions.map(py).join(', ')}]].to_numpy(), dtype=torch.float64)`,
      ];
    case 'npy':
    case 'npz':
      return [
        file.format === 'npz' ? `data = np.load(${py(file.name)})` : `data = {${py(roles.predictions[0]!)}: np.load(${py(file.name)})}  # labels from the paired file`,
        `y = torch.tensor(data[${target}], dtype=torch.long)`,
        `scores = torch.tensor(data[${py(roles.predictions[0]!)}], dtype=torch.float64)`,
      ];
    case 'safetensors':
      return [
        'from safetensors.torch import load_file',
        `data = load_file(${py(file.name)})`,
        `y = data[${target}].long()`,
        `scores = data[${py(roles.predictions[0]!)}].double()`,
      ];
    default:
      return [
        `data = torch.load(${py(file.name)}, weights_only=True)  # nested names: index the dicts step by step`,
        `y = data[${target}].long()`,
        `scores = data[${py(roles.predictions[0]!)}].double()`,
      ];
  }
}

/** A PyTorch (and, for probabilities, scikit-learn) snippet that reproduces the panel's cross-entropy from the same file. */
export function pythonSnippet(analysis: Analysis): string {
  if (analysis.task === 'lm') return languageModelSnippet(analysis);
  if (!isClassification(analysis)) return taskSnippet(analysis);
  const { kind } = analysis.roles;
  const expected = plainNumber(analysis.summary.crossEntropy, 12);
  const loss =
    kind === 'logits'
      ? 'F.cross_entropy(scores, y)'
      : kind === 'logprobs'
        ? 'F.nll_loss(scores, y)'
        : 'F.nll_loss(torch.log(scores), y)';
  const lines = [
    'import numpy as np',
    'import pandas as pd',
    'import torch',
    'import torch.nn.functional as F',
    '',
    ...loadLines(analysis),
    `print(${loss}.item())  # Likelihood Lens: ${expected}`,
  ];
  if (kind === 'probs') {
    lines.push('', 'from sklearn.metrics import log_loss', `print(log_loss(y.numpy(), scores.numpy(), labels=list(range(${analysis.summary.classes}))))  # renormalises rows first`);
  }
  return `${lines.join('\n')}\n`;
}

/** The derivation as Markdown with display math, for notes and reports. */
export function derivationMarkdown(analysis: Analysis): string {
  const parts: string[] = [`# ${analysis.file.name}`, ''];
  for (const derivation of analysis.derivations) {
    parts.push(`## ${derivation.title}`, '');
    derivation.steps.forEach((step, index) => {
      parts.push(`### ${index + 1}. ${step.title}${step.tag ? ` ${step.tag}` : ''}`, '', '$$', step.latex, '$$', '', step.note, '');
      if (step.check) parts.push(`Check: ${step.check.label}: ${step.check.lhs} vs ${step.check.rhs} (relative residual ${step.check.residual.toExponential(1)})`, '');
    });
  }
  return parts.join('\n');
}
