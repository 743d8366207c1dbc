/** What the panel adds for an lm-evaluation-harness samples file: lm-eval's metrics recomputed beside the stored ones, and its documents. */
import type { Analysis, EvalAnalysis, LmEvalChoiceDocument, LmEvalSummary } from '../src/protocol/webview';
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
  // Six columns do not fit a narrow panel: the table scrolls, not the page.
  return h('div', { class: 'table-scroll' }, metricsTableItself(lm));
}

function metricsTableItself(lm: LmEvalSummary): HTMLElement {
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
        h('th', { class: 'file-name' }, lm.resultsFile ?? 'results file'),
        h('th', {}, 'documents differing'),
      ),
    ),
    h(
      'tbody',
      {},
      ...lm.metrics.map((metric) =>
        h(
          'tr',
          { 'data-metric': metric.name },
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

/** The document picked last, by doc_id and line, kept while the panel re-renders for a view choice. */
let pickedDocument: string | undefined;
const documentKey = (doc: LmEvalChoiceDocument) => `${doc.docId}:${doc.line}`;

function goldLabel(gold: number | readonly number[]): string {
  if (typeof gold !== 'number') return `gold choices ${gold.join(', ')}`;
  return gold < 0 ? 'the target is not among the choices' : `gold choice ${gold}`;
}

/** One multiple-choice document: its question, and each choice with its probability (softmax of the log-likelihoods), the gold and the argmax marked. */
function choiceDocumentView(doc: LmEvalChoiceDocument): HTMLElement {
  const golds = typeof doc.gold === 'number' ? [doc.gold] : doc.gold;
  const right = golds.includes(doc.argmax);
  return h(
    'div',
    { class: 'lm-eval-document', 'data-testid': 'lm-eval-document', 'data-doc-id': doc.docId },
    h('h4', {}, `doc_id ${doc.docId} (line ${doc.line})${doc.row !== undefined ? `, document ${doc.row}` : ''}`),
    h('p', { class: 'lm-eval-question', 'data-testid': 'lm-eval-question' }, doc.question ?? '(no question text in doc)'),
    h(
      'p',
      { class: 'lm-eval-verdict' },
      `${goldLabel(doc.gold)}; the largest log-likelihood is choice ${doc.argmax}: ${right ? 'right' : 'wrong'} (acc ${right ? 1 : 0}).`,
    ),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'lm-eval-choices', 'data-testid': 'lm-eval-choices' },
        h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'choice'), h('th', {}, 'probability'), h('th', {}, ''), h('th', {}, 'log-likelihood'))),
        h(
          'tbody',
          {},
          ...doc.choices.map((choice, j) => {
            const gold = golds.includes(j);
            const argmax = j === doc.argmax;
            const probability = doc.probabilities[j]!;
            return h(
              'tr',
              {
                class: [gold ? 'gold' : '', argmax ? 'argmax' : ''].filter(Boolean).join(' ') || undefined,
                'data-testid': 'lm-eval-choice',
                'data-probability': String(probability),
                'data-log-likelihood': String(doc.logLikelihoods[j]),
              },
              h('td', { class: 'num' }, String(j)),
              h(
                'td',
                {},
                h('span', { class: 'lm-eval-choice-text' }, choice),
                gold ? h('span', { class: 'mark mark-gold', 'data-testid': 'gold-mark' }, 'gold') : '',
                argmax ? h('span', { class: 'mark mark-argmax', 'data-testid': 'argmax-mark' }, 'argmax') : '',
              ),
              h('td', { class: 'num' }, show(probability, 6)),
              h('td', {}, h('meter', { min: 0, max: 1, value: probability, 'aria-label': `probability of choice ${j}` })),
              h('td', { class: 'num' }, show(doc.logLikelihoods[j], 8)),
            );
          }),
        ),
      ),
    ),
    doc.choiceCount > doc.choices.length ? h('p', { class: 'lm-eval-verdict' }, `The first ${doc.choices.length} of ${doc.choiceCount} choices.`) : '',
  );
}

/** Pick a multiple-choice document, from the worst ones or from the start of the file, and see its choices. */
function documentPicker(analysis: Analysis, documents: readonly LmEvalChoiceDocument[]): HTMLElement {
  const worstRows = analysis.task === 'categorical' || analysis.task === 'binary' ? analysis.plots.worstRows : [];
  const byRow = new Map(documents.filter((doc) => doc.row !== undefined).map((doc) => [doc.row!, doc]));
  const worst = worstRows.flatMap((worstRow) => {
    const doc = byRow.get(worstRow.row);
    return doc ? [{ doc, loss: worstRow.loss }] : [];
  });
  // Every document kept (the first of the file and the worst beyond them), in file order.
  const inFile = [...documents].sort((a, b) => a.line - b.line);
  const all = [...worst.map((entry) => entry.doc), ...inFile];
  const initialIndex = Math.max(0, pickedDocument === undefined ? 0 : all.findIndex((doc) => documentKey(doc) === pickedDocument));
  const option = (index: number, label: string) => h('option', { value: String(index), selected: index === initialIndex }, label);
  const select = h(
    'select',
    { id: 'lm-eval-document-pick', 'data-testid': 'lm-eval-document-pick' },
    worst.length > 0
      ? h(
          'optgroup',
          { label: 'Worst documents (largest \u2212log p of the gold)' },
          ...worst.map(({ doc, loss }, i) => option(i, `doc_id ${doc.docId}: ${show(loss, 4)} nats \u2013 ${doc.question ?? ''}`)),
        )
      : '',
    h(
      'optgroup',
      { label: `Documents (${inFile.length} kept)` },
      ...inFile.map((doc, i) => option(worst.length + i, `doc_id ${doc.docId}: ${doc.question ?? ''}`)),
    ),
  );
  const view = h('div', { 'aria-live': 'polite' }, choiceDocumentView(all[initialIndex]!));
  select.addEventListener('change', () => {
    const doc = all[Number(select.value)];
    if (!doc) return;
    pickedDocument = documentKey(doc);
    view.replaceChildren(choiceDocumentView(doc));
  });
  return h('div', { class: 'lm-eval-documents' }, h('h3', {}, 'Document view'), h('label', { for: 'lm-eval-document-pick' }, 'Document: '), select, view);
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
    lm.choiceDocuments && lm.choiceDocuments.length > 0 ? documentPicker(analysis, lm.choiceDocuments) : '',
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
