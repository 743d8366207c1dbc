/** A language model's sequences as a sortable table, and its worst tokens: each opens its sequence in the token view. */
import { unitSymbol, type InformationUnit, type LanguageModelAnalysis, type SequenceLoss } from '../src/protocol/webview';
import { h } from './dom';
import { formatInUnit, formatNumber } from './format';
import { quotedText } from './tokenView';

export type SequenceSortKey = 'sequence' | 'tokens' | 'nll' | 'perplexity';
export interface SequenceSort {
  readonly key: SequenceSortKey;
  readonly descending: boolean;
}

/** Rows drawn at most; the analysis lists a bounded number of sequences, but a page need not hold them all. */
const MAX_ROWS = 2000;

const COLUMNS: readonly { readonly key: SequenceSortKey; readonly label: (unit: InformationUnit) => string }[] = [
  { key: 'sequence', label: () => 'Sequence' },
  { key: 'tokens', label: () => 'Tokens' },
  { key: 'nll', label: (unit) => `NLL (${unitSymbol(unit)}, summed)` },
  { key: 'perplexity', label: () => 'Perplexity' },
];

export function sortSequences(sequences: readonly SequenceLoss[], sort: SequenceSort): SequenceLoss[] {
  const sign = sort.descending ? -1 : 1;
  // NaN last whichever the direction; ties in file order.
  const value = (row: SequenceLoss) => row[sort.key];
  return [...sequences].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
    return x === y ? a.sequence - b.sequence : sign * (x < y ? -1 : 1);
  });
}

export class SequenceTable {
  private sort: SequenceSort = { key: 'sequence', descending: false };
  private element: HTMLElement | undefined;
  private unit: InformationUnit = 'nats';

  constructor(
    private readonly analysis: LanguageModelAnalysis,
    private selected: number,
    private readonly pick: (sequence: number) => void,
  ) {}

  render(unit: InformationUnit): HTMLElement {
    this.unit = unit;
    this.element = h('section', { class: 'sequences', 'aria-label': 'Sequences' });
    this.fill();
    return this.element;
  }

  select(sequence: number): void {
    this.selected = sequence;
    for (const row of this.element?.querySelectorAll('tr[data-sequence]') ?? [])
      row.setAttribute('aria-selected', String(Number(row.getAttribute('data-sequence')) === sequence));
  }

  private fill(): void {
    const { sequences, summary } = this.analysis;
    const unit = this.unit;
    const rows = sortSequences(sequences, this.sort).slice(0, MAX_ROWS);
    const listed =
      sequences.length < summary.sequences ? ` (the ${sequences.length.toLocaleString('en-US')} worst of ${summary.sequences.toLocaleString('en-US')})` : '';
    const header = COLUMNS.map(({ key, label }) => {
      const sorted = this.sort.key === key;
      const button = h(
        'button',
        { type: 'button', class: 'sort', 'data-sort': key, title: `Sort by ${label(unit).toLowerCase()}` },
        label(unit),
        h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, sorted ? (this.sort.descending ? ' \u25bc' : ' \u25b2') : ''),
      );
      button.addEventListener('click', () => {
        this.sort = { key, descending: sorted ? !this.sort.descending : key !== 'sequence' };
        this.fill();
        this.element?.querySelector<HTMLElement>(`button[data-sort="${key}"]`)?.focus();
      });
      return h(
        'th',
        { scope: 'col', 'aria-sort': sorted ? (this.sort.descending ? 'descending' : 'ascending') : 'none', class: key === 'sequence' ? undefined : 'num' },
        button,
      );
    });
    const body = rows.map((row) => {
      const tr = h(
        'tr',
        {
          tabindex: 0,
          'data-sequence': row.sequence,
          'data-testid': 'sequence-row',
          'aria-selected': String(row.sequence === this.selected),
          title: `Show sequence ${row.sequence} in the token view`,
        },
        h('td', {}, String(row.sequence)),
        h('td', { class: 'num' }, row.tokens.toLocaleString('en-US')),
        h('td', { class: 'num', 'data-value': String(row.nll) }, formatInUnit(row.nll, unit, 6)),
        h('td', { class: 'num', 'data-value': String(row.perplexity) }, formatNumber(row.perplexity, 6)),
      );
      tr.addEventListener('click', () => this.choose(row.sequence));
      tr.addEventListener('keydown', (event) => {
        if (event.key !== 'Enter' && event.key !== ' ') return;
        event.preventDefault();
        this.choose(row.sequence);
      });
      return tr;
    });
    this.element!.replaceChildren(
      h('h2', {}, `Sequences${listed}`),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'tensors sequence-table', 'data-testid': 'sequence-table' },
          h('caption', { class: 'visually-hidden' }, 'Click a row or press Enter on it to show that sequence\u2019s tokens.'),
          h('thead', {}, h('tr', {}, ...header)),
          h('tbody', {}, ...body),
        ),
      ),
      rows.length < sequences.length ? h('p', { class: 'note' }, `The first ${rows.length.toLocaleString('en-US')} rows in this order are shown.`) : '',
    );
  }

  private choose(sequence: number): void {
    this.select(sequence);
    this.pick(sequence);
  }
}

/** The file's highest-loss tokens; each opens its sequence with the token marked. */
export function worstTokensView(analysis: LanguageModelAnalysis, unit: InformationUnit, open: (sequence: number, position: number) => void): HTMLElement {
  return h(
    'section',
    { class: 'worst worst-tokens', 'aria-label': 'Worst tokens' },
    h('h2', {}, 'Worst tokens'),
    h(
      'ol',
      {},
      ...analysis.plots.worstTokens.map((token) => {
        const text = `${quotedText(token.text, token.id)} in sequence ${token.sequence} at position ${token.position}: loss ${formatInUnit(token.loss, unit, 4)}, p = ${formatNumber(Math.exp(-token.loss), 3)}, rank ${token.rank.toLocaleString('en-US')}`;
        const button = h(
          'button',
          {
            class: 'link',
            type: 'button',
            'data-testid': 'worst-token',
            'data-sequence': token.sequence,
            'data-position': token.position,
            title: 'Show this token in its sequence',
          },
          text,
        );
        button.addEventListener('click', () => open(token.sequence, token.position));
        return h('li', {}, button);
      }),
    ),
  );
}
