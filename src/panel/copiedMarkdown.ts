/** The derivation as copied from the panel: the report's Markdown, saying what its numbers are in and over. */
import { derivationMarkdown } from '../analysis/report/snippets';
import type { Analysis } from '../protocol/webview';

/** One line under the title: the derivation's logs are natural, its losses means, its log-likelihoods sums. */
export function unitsLine(analysis: Analysis): string {
  const counted = analysis.task === 'lm' ? 'token' : 'row';
  const n = analysis.task === 'lm' ? analysis.summary.tokens : analysis.summary.n;
  return `Logarithms are natural: losses and cross-entropies are in nats per ${counted} (the mean over ${n.toLocaleString('en-US')} ${counted}s), log-likelihoods in nats, summed.`;
}

export function copiedMarkdown(analysis: Analysis): string {
  const [title, ...rest] = derivationMarkdown(analysis).split('\n');
  return [title, '', unitsLine(analysis), ...rest].join('\n');
}
