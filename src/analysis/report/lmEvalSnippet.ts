import type { EvalAnalysis } from '../results';

/** Python that recomputes a rolling task's perplexities from the samples file as lm-eval aggregates them (a generation task: its stored metrics' means). */
export function lmEvalSnippet(analysis: EvalAnalysis): string {
  const name = JSON.stringify(analysis.file.name);
  if (analysis.summary.hasLikelihood) {
    return [
      'import json, math, re',
      '',
      `lines = [json.loads(line) for line in open(${name}, encoding='utf-8') if line.strip()]`,
      "ll = sum(float(s['filtered_resps'][0]) for s in lines)",
      "words = sum(len(re.split(r'\\s+', s['target'])) for s in lines)",
      "nbytes = sum(len(s['target'].encode('utf-8')) for s in lines)",
      "print('word_perplexity', math.exp(-ll / words))",
      "print('byte_perplexity', math.exp(-ll / nbytes))",
      "print('bits_per_byte', -ll / nbytes / math.log(2))",
      '',
    ].join('\n');
  }
  return [
    'import json',
    'import numpy as np',
    '',
    `lines = [json.loads(line) for line in open(${name}, encoding='utf-8') if line.strip()]`,
    "for metric in lines[0]['metrics']:",
    '    values = np.array([s[metric] for s in lines if isinstance(s.get(metric), (int, float))], dtype=float)',
    '    if len(values): print(metric, values.mean(), values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else "N/A")',
    '',
  ].join('\n');
}
