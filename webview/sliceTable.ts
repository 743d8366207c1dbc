/** A classifier's figures by slice of its rows (a text column's values) as sortable tables: rows, cross-entropy and accuracy with their standard errors. */
import { convertNats, unitSymbol, type ClassificationAnalysis, type InformationUnit, type SliceFigures, type SliceTable } from '../src/protocol/webview';
import { h } from './dom';
import { formatNumber } from './format';

type SliceKey = 'value' | 'rows' | 'crossEntropy' | 'accuracy';

const COLUMNS: readonly { readonly key: SliceKey; readonly label: (unit: InformationUnit, column: string) => string }[] = [
  { key: 'value', label: (_, column) => column },
  { key: 'rows', label: () => 'Rows' },
  { key: 'crossEntropy', label: (unit) => `Cross-entropy (${unitSymbol(unit)}) \u00b1 se` },
  { key: 'accuracy', label: () => 'Accuracy \u00b1 se' },
];

/** The slices in the order asked for: values as text, figures as numbers with NaN last either way; ties keep the table's order. */
export function sortSlices(slices: readonly SliceFigures[], key: SliceKey, descending: boolean): SliceFigures[] {
  const sign = descending ? -1 : 1;
  const order = new Map(slices.map((slice, i) => [slice, i]));
  return [...slices].sort((a, b) => {
    if (key === 'value') return sign * a.value.localeCompare(b.value) || order.get(a)! - order.get(b)!;
    const x = a[key];
    const y = b[key];
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
    return x === y ? order.get(a)! - order.get(b)! : sign * (x < y ? -1 : 1);
  });
}

const withError = (value: number, se: number, show: (v: number, digits: number) => string) =>
  Number.isNaN(value) ? '\u2014' : Number.isFinite(se) ? `${show(value, 4)} \u00b1 ${show(se, 2)}` : show(value, 4);

/** One slice column's table, re-sorted in place when a header is clicked. */
function sliceColumnTable(table: SliceTable, method: string, unit: InformationUnit): HTMLElement {
  const holder = h('div', { class: 'table-scroll', 'data-slice-column': table.column });
  let sort: { key: SliceKey; descending: boolean } = { key: 'rows', descending: true };
  const fill = () => {
    const header = COLUMNS.map(({ key, label }) => {
      const sorted = sort.key === key;
      const text = label(unit, table.column);
      const button = h(
        'button',
        { type: 'button', class: 'sort', 'data-sort': key, title: `Sort by ${text.toLowerCase()}` },
        text,
        h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, sorted ? (sort.descending ? ' \u25bc' : ' \u25b2') : ''),
      );
      button.addEventListener('click', () => {
        sort = { key, descending: sorted ? !sort.descending : key !== 'value' };
        fill();
        holder.querySelector<HTMLElement>(`button[data-sort="${key}"]`)?.focus();
      });
      return h(
        'th',
        { scope: 'col', 'aria-sort': sorted ? (sort.descending ? 'descending' : 'ascending') : 'none', class: key === 'value' ? undefined : 'num' },
        button,
      );
    });
    const inUnit = (value: number, digits: number) => formatNumber(convertNats(value, unit), digits);
    const percent = (value: number, digits: number) => `${formatNumber(100 * value, digits)}%`;
    const body = sortSlices(table.slices, sort.key, sort.descending).map((slice) =>
      h(
        'tr',
        { 'data-slice': slice.value, 'data-testid': 'slice-row' },
        h('td', {}, slice.value),
        h('td', { class: 'num' }, slice.rows.toLocaleString('en-US')),
        h('td', { class: 'num', 'data-value': String(slice.crossEntropy) }, withError(slice.crossEntropy, slice.crossEntropyStdError, inUnit)),
        h('td', { class: 'num', 'data-value': String(slice.accuracy) }, withError(slice.accuracy, slice.accuracyStdError, percent)),
      ),
    );
    holder.replaceChildren(
      h(
        'table',
        { class: 'tensors class-table', 'data-testid': 'slice-table' },
        h('caption', { class: 'visually-hidden' }, `By ${table.column}: ${method}`),
        h('thead', {}, h('tr', {}, ...header)),
        h('tbody', {}, ...body),
      ),
    );
  };
  fill();
  return holder;
}

/** The per-slice section, or nothing when the file has no column that groups its rows. */
export function sliceTables(analysis: ClassificationAnalysis, unit: InformationUnit): HTMLElement | string {
  const bySlice = analysis.bySlice;
  if (!bySlice || bySlice.columns.length === 0) return '';
  return h(
    'section',
    { class: 'classes slices', 'aria-label': 'By slice' },
    h('h2', {}, 'By slice'),
    ...bySlice.columns.flatMap((table) => [h('h3', {}, table.column), sliceColumnTable(table, bySlice.method, unit)]),
    h('p', { class: 'note' }, `Slices: ${bySlice.method}.`),
  );
}
