/** What the panel adds for an lm-evaluation-harness samples file: lm-eval's metrics recomputed beside the stored ones, and its documents. */
import type { Analysis, EvalAnalysis, LmEvalSummary } from '../src/protocol/webview';
import { h } from './dom';
import { formatNumber } from './format';

const show = (value: number | string | null | undefined, digits = 6): string =>
  typeof value === 'number' ? formatNumber(value, digits) : value === null || value === undefined ? '\u2013' : value;

function card(label: string, value: string, testId: string, raw: number, hint: string): HTMLElement {
  return h(
    'div',
    { class: 'card', title: hint },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value', 'data-testid': testId, 'data-value': String(raw) }, value),
  );
}

/** The cards of a rolling or generation task: its headline lm-eval metrics and the documents. */
export function evalCards(analysis: EvalAnalysis): HTMLElement[] {
  const { summary: s, lmEval } = analysis;
  return [
    ...lmEval.metrics
      .slice(0, 4)
      .map((metric) =>
        card(
          metric.name,
          show(metric.value, 8),
          `lm-eval-${metric.name}`,
          metric.value,
          metric.stderr !== null ? `\u00b1 ${show(metric.stderr)} (standard error)` : `lm-eval's ${metric.name}, recomputed`,
        ),
      ),
    s.hasLikelihood
      ? card('NLL per document', formatNumber(s.crossEntropy, 8), 'cross-entropy', s.crossEntropy, '-log-likelihood of each document, nats')
      : card('Likelihood', 'none', 'no-likelihood', 0, 'generated text has no likelihood'),
    card('Documents', String(s.n), 'rows', s.n, `${lmEval.outputType} task ${lmEval.task}`),
  ];
}

export const evalReadAs = (analysis: EvalAnalysis): string => `lm-eval ${analysis.lmEval.outputType} samples of ${analysis.lmEval.task}`;

function metricsTable(lm: LmEvalSummary): HTMLElement {
  return h(
    'table',
    { class: 'lm-eval-metrics', 'data-testid': 'lm-eval-metrics' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'metric'),
        h('th', {}, 'recomputed'),
        h('th', {}, 'stderr'),
        h('th', {}, 'samples store'),
        h('th', {}, lm.resultsFile ?? 'results file'),
        h('th', {}, 'documents differing'),
      ),
    ),
    h(
      'tbody',
      {},
      ...lm.metrics.map((metric) =>
        h(
          'tr',
          {},
          h('td', {}, metric.name),
          h('td', {}, show(metric.value, 8)),
          h('td', {}, show(metric.stderr)),
          h('td', {}, show(metric.stored, 8)),
          h(
            'td',
            {},
            `${show(metric.reported, 8)}${metric.reportedStderr !== undefined && metric.reportedStderr !== null ? ` \u00b1 ${show(metric.reportedStderr)}` : ''}`,
          ),
          h('td', {}, String(metric.differing)),
        ),
      ),
    ),
  );
}

/** The lm-eval section, for any analysis of a samples file (nothing otherwise). */
export function lmEvalSection(analysis: Analysis): HTMLElement | '' {
  const lm = analysis.lmEval;
  if (!lm) return '';
  const questions = Object.entries(lm.questions ?? {});
  return h(
    'section',
    { class: 'lm-eval', 'aria-label': 'lm-evaluation-harness' },
    h('h2', {}, `lm-evaluation-harness: ${lm.task} (${lm.outputType}, filter ${lm.filter}, ${lm.documents} documents)`),
    metricsTable(lm),
    questions.length > 0 ? h('h3', {}, 'Questions of the worst documents') : '',
    questions.length > 0 ? h('ul', {}, ...questions.map(([row, text]) => h('li', {}, `document ${row}: ${text}`))) : '',
    lm.documentList.length > 0 ? h('h3', {}, `Documents (first ${lm.documentList.length})`) : '',
    lm.documentList.length > 0
      ? h(
          'ul',
          {},
          ...lm.documentList.map((doc) =>
            h(
              'li',
              {},
              `doc_id ${doc.docId} (line ${doc.line}): ${Object.entries(doc.values)
                .map(([name, value]) => `${name} ${show(value)}`)
                .join(', ')}`,
            ),
          ),
        )
      : '',
  );
}
