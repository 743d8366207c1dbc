import { plainNumber } from '../../engine/format';
import type { LanguageModelAnalysis } from '../results';

const py = (text: string) => JSON.stringify(text);

/** How a tensor of the file is reached in Python: a .pt's dotted names index its dicts and lists step by step. */
function tensorOf(analysis: LanguageModelAnalysis, name: string): string {
  if (analysis.file.format !== 'pt') return `data[${py(name)}]`;
  return `data${name
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `[${py(part)}]`))
    .join('')}`;
}

/** Loads the file as `data`, a dict of tensors, by format. */
function loadLines(analysis: LanguageModelAnalysis): string[] {
  const { file, roles } = analysis;
  switch (file.format) {
    case 'safetensors':
      return ['from safetensors.torch import load_file', `data = load_file(${py(file.name)})`];
    case 'npz':
      return ['import numpy as np', `data = {key: torch.from_numpy(value) for key, value in np.load(${py(file.name)}).items()}`];
    case 'npy': {
      // A lone .npy holds one array, named after its file; the others come from the files beside it.
      const names = [roles.predictions, roles.target, roles.mask].filter((name): name is string => !!name);
      return ['import numpy as np', `data = {${names.map((name) => `${py(name)}: torch.from_numpy(np.load(${py(`${name}.npy`)}))`).join(', ')}}`];
    }
    default:
      return [`data = torch.load(${py(file.name)}, weights_only=True)`];
  }
}

/**
 * A runnable PyTorch snippet that reproduces a language model's cross-entropy from the same
 * file: F.cross_entropy on the float64 logits with the targets aligned as the analysis aligned
 * them (a Hugging Face causal LM's shift: logits[:, :-1] against labels[:, 1:]), or the mean of
 * the given log-probabilities.
 */
export function languageModelSnippet(analysis: LanguageModelAnalysis): string {
  const { roles, summary } = analysis;
  const expect = (value: number) => `  # Likelihood Lens: ${plainNumber(value, 12)}`;
  const ignore = roles.ignoreIndex;
  const lines = ['import math', 'import torch', 'import torch.nn.functional as F', '', ...loadLines(analysis)];
  if (roles.target) lines.push(`labels = ${tensorOf(analysis, roles.target)}.long()`);
  if (roles.mask) lines.push(`mask = ${tensorOf(analysis, roles.mask)}`);
  if (roles.predictionKind === 'token-logprobs') {
    const keep =
      [roles.mask ? '(mask == 1)' : '', roles.target ? `(labels != ${ignore})` : ''].filter(Boolean).join(' & ') || 'torch.ones_like(log_p, dtype=torch.bool)';
    lines.push(`log_p = ${tensorOf(analysis, roles.predictions)}.double()`, `keep = ${keep}`, `loss = -log_p[keep].sum() / keep.sum()`);
  } else {
    lines.push(`logits = ${tensorOf(analysis, roles.predictions)}.double()  # [B, T, V]`);
    if (roles.mask) lines.push(`labels = labels.masked_fill(mask == 0, ${ignore})  # masked positions are not scored`);
    if (roles.shift)
      lines.push(
        '# As a Hugging Face causal LM scores itself: logits at position t against the token at t + 1.',
        'logits = logits[:, :-1].contiguous()',
        'labels = labels[:, 1:].contiguous()',
      );
    lines.push('V = logits.shape[-1]', `loss = F.cross_entropy(logits.view(-1, V), labels.view(-1), ignore_index=${ignore})`);
  }
  lines.push(`print(loss.item())${expect(summary.crossEntropy)}`, `print(math.exp(loss.item()))${expect(summary.perplexity)}`, '');
  return lines.join('\n');
}
