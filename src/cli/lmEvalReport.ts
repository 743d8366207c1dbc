import type { Analysis, LmEvalSummary } from '../analysis/results';
import { plainNumber } from '../engine/format';

/** lm-eval's metrics under lm-eval's names (acc, acc_stderr, word_perplexity, ...), the documents, and what the samples and results files store. */
export function lmEvalFields(analysis: Analysis): Record<string, unknown> {
  const lm = analysis.lmEval;
  if (!lm) return {};
  const fields: Record<string, unknown> = { lmEvalTask: lm.task, outputType: lm.outputType, filter: lm.filter, documents: lm.documents };
  for (const metric of lm.metrics) {
    fields[metric.name] = metric.value;
    if (metric.stderr !== null) fields[`${metric.name}_stderr`] = metric.stderr;
  }
  fields.stored = Object.fromEntries(lm.metrics.map((metric) => [metric.name, metric.stored]));
  fields.differing = Object.fromEntries(lm.metrics.map((metric) => [metric.name, { count: metric.differing, docIds: metric.differingDocuments }]));
  if (lm.resultsFile) fields.results = { file: lm.resultsFile, entries: lm.reported ?? {} };
  if (analysis.task === 'eval') fields.documentList = lm.documentList;
  return fields;
}

const explanations: Record<string, string> = {
  acc: 'share of documents whose most likely choice is the gold one',
  acc_norm: 'the same, each log-likelihood divided by its choice\u2019s length in characters',
  acc_bytes: 'the same, divided by the choice\u2019s length in UTF-8 bytes',
  word_perplexity: 'exp(-sum ll / sum words)',
  byte_perplexity: 'exp(-sum ll / sum bytes)',
  bits_per_byte: '-sum ll / sum bytes / ln 2',
};

/** The text report's lm-eval lines: each metric recomputed, with its standard error, beside the samples' and the results file's values. */
export function lmEvalLines(lm: LmEvalSummary): string[] {
  const format = (value: number | string | null | undefined, digits = 8) =>
    typeof value === 'number' ? plainNumber(value, digits) : value === undefined || value === null ? '-' : value;
  const lines = [`  lm-eval ${lm.outputType} task ${lm.task}, filter ${lm.filter}: ${lm.documents} documents`];
  for (const metric of lm.metrics) {
    const stderr = metric.stderr !== null ? ` \u00b1 ${format(metric.stderr)}` : '';
    const reported =
      metric.reported !== undefined
        ? `; ${lm.resultsFile}: ${format(metric.reported)}${metric.reportedStderr !== undefined && metric.reportedStderr !== null ? ` \u00b1 ${format(metric.reportedStderr)}` : ''}`
        : '';
    lines.push(`  ${metric.name.padEnd(20)} ${format(metric.value)}${stderr} (samples store ${format(metric.stored)}${reported})`);
    if (explanations[metric.name]) lines.push(`  ${''.padEnd(20)} ${explanations[metric.name]}`);
  }
  if (lm.outputType === 'multiple_choice') lines.push('  stderr is the sample standard deviation (ddof 1) over sqrt(documents), lm-eval\u2019s mean_stderr');
  return lines;
}
