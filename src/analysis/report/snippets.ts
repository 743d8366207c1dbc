import { DEFAULT_IGNORE_INDEX } from '../../engine/crossEntropyLoss';
import { lmEvalSnippet } from './lmEvalSnippet';
import { expectComment, importLines, snippetData, type SnippetData } from './snippetData';
import { languageModelSnippet } from './languageModelSnippet';
import { taskSnippet } from './taskSnippets';
import { isClassification, type Analysis, type ClassificationAnalysis } from '../results';

/** F.cross_entropy's keyword arguments for the options the analysis used, each only when it differs from PyTorch's default. */
function torchKeywords(analysis: ClassificationAnalysis, withWeightAndSmoothing: boolean): string {
  const { ignoreIndex, weight, labelSmoothing } = analysis.torchOptions;
  return [
    ...(withWeightAndSmoothing && weight ? ['weight=weight'] : []),
    ...(ignoreIndex !== DEFAULT_IGNORE_INDEX ? [`ignore_index=${ignoreIndex}`] : []),
    ...(withWeightAndSmoothing && labelSmoothing ? [`label_smoothing=${labelSmoothing}`] : []),
  ]
    .map((keyword) => `, ${keyword}`)
    .join('');
}

/** Labels against one probability (or logit) column: PyTorch's binary losses. */
function binaryLines(analysis: ClassificationAnalysis, load: SnippetData): string[] {
  const { roles, summary, torchOptions } = analysis;
  const logits = roles.kind === 'logits';
  const lines = [
    `y = ${load.vector(roles.target)}`,
    `${logits ? 'z' : 'p'} = ${load.vector(roles.predictions[0]!)}`,
    `print(${logits ? 'F.binary_cross_entropy_with_logits(z, y)' : 'F.binary_cross_entropy(p, y)'}.item())${expectComment('binary cross-entropy', summary.crossEntropy)}`,
  ];
  if (torchOptions.weight || torchOptions.labelSmoothing) {
    // Class weights and smoothing act on the two classes the column stands for.
    lines.push(
      `scores = ${logits ? 'torch.stack([torch.zeros_like(z), z], dim=1)' : 'torch.stack([torch.log1p(-p), torch.log(p)], dim=1)'}  # the two classes: softmax gives [1 - ${logits ? 'sigmoid(z)' : 'p'}, ${logits ? 'sigmoid(z)' : 'p'}]`,
      ...(torchOptions.weight ? [`weight = torch.tensor([${torchOptions.weight.join(', ')}], dtype=torch.float64)`] : []),
      `print(F.cross_entropy(scores, y.long()${torchKeywords(analysis, true)}).item())${expectComment('F.cross_entropy with these options', summary.torchCrossEntropy)}`,
    );
  }
  return lines;
}

/** Labels against K class scores: F.cross_entropy, or F.nll_loss on log-probabilities. */
function categoricalLines(analysis: ClassificationAnalysis, load: SnippetData): string[] {
  const { roles, summary, torchOptions } = analysis;
  const { kind } = roles;
  const logQ = kind === 'probs' ? 'torch.log(scores)' : 'scores';
  const loss = (keywords: string) => (kind === 'logits' ? `F.cross_entropy(scores, y${keywords})` : `F.nll_loss(${logQ}, y${keywords})`);
  const lines = [
    `y = ${load.labels(roles.target)}`,
    `scores = ${load.classScores(roles.predictions)}`,
    `print(${loss(torchKeywords(analysis, false))}.item())${expectComment('cross-entropy', summary.crossEntropy)}`,
  ];
  if (torchOptions.weight || torchOptions.labelSmoothing) {
    // F.nll_loss has no label smoothing; F.cross_entropy's log-softmax leaves normalised log-probabilities as they are.
    const withOptions = torchOptions.labelSmoothing ? `F.cross_entropy(${logQ}, y${torchKeywords(analysis, true)})` : loss(torchKeywords(analysis, true));
    lines.push(
      ...(torchOptions.weight ? [`weight = torch.tensor([${torchOptions.weight.join(', ')}], dtype=torch.float64)`] : []),
      `print(${withOptions}.item())${expectComment('F.cross_entropy with these options', summary.torchCrossEntropy)}`,
    );
  }
  if (kind === 'probs' && summary.ignored === 0) {
    lines.push(
      '',
      'from sklearn.metrics import log_loss',
      `print(log_loss(y.numpy(), scores.numpy(), labels=list(range(${summary.classes}))))${expectComment('scikit-learn renormalises each row first', summary.crossEntropy)}`,
    );
  }
  return lines;
}

/**
 * A PyTorch (and, for probabilities, scikit-learn) snippet that reproduces the panel's numbers
 * from the same file: run from the file's folder, its first print is the headline.
 */
export function pythonSnippet(analysis: Analysis): string {
  if (analysis.task === 'lm') return languageModelSnippet(analysis);
  if (analysis.task === 'eval') return lmEvalSnippet(analysis);
  if (!isClassification(analysis)) return taskSnippet(analysis);
  const load = snippetData(analysis);
  const body = analysis.task === 'binary' ? binaryLines(analysis, load) : categoricalLines(analysis, load);
  return [...importLines(load.imports, ['import torch', 'import torch.nn.functional as F']), '', ...load.lines, ...body, ''].join('\n');
}

/** The derivation as Markdown with display math, for notes and reports. */
export function derivationMarkdown(analysis: Analysis): string {
  const parts: string[] = [`# ${analysis.file.name}`, ''];
  for (const derivation of analysis.derivations) {
    parts.push(`## ${derivation.title}`, '');
    derivation.steps.forEach((step, index) => {
      parts.push(`### ${index + 1}. ${step.title}${step.tag ? ` ${step.tag}` : ''}`, '', '$$', step.latex, '$$', '', step.note, '');
      if (step.check)
        parts.push(`Check: ${step.check.label}: ${step.check.lhs} vs ${step.check.rhs} (relative residual ${step.check.residual.toExponential(1)})`, '');
      if (step.restatement) parts.push(`Restatement of ${step.restatement}, not a check.`, '');
    });
  }
  return parts.join('\n');
}
