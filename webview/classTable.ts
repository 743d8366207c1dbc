/** A classifier's figures by class as a sortable table: support, cross-entropy and recall with their standard errors, calibration gap. */
import { convertNats, unitSymbol, type ClassFigures, type ClassificationAnalysis, type InformationUnit } from '../src/protocol/webview';
import { h } from './dom';
import { formatNumber } from './format';

type ClassKey = 'label' | 'support' | 'crossEntropy' | 'accuracy' | 'predicted' | 'calibrationGap';

const COLUMNS: readonly { readonly key: ClassKey; readonly label: (unit: InformationUnit) => string }[] = [
  { key: 'label', label: () => 'Class' },
  { key: 'support', label: () => 'Rows labelled' },
  { key: 'crossEntropy', label: (unit) => `Cross-entropy (${unitSymbol(unit)}) \u00b1 se` },
  { key: 'accuracy', label: () => 'Recall \u00b1 se' },
  { key: 'predicted', label: () => 'Rows predicted' },
  { key: 'calibrationGap', label: () => 'Calibration gap' },
];

/** The rows in the order asked for; NaN (no row to measure) last either way, ties by class. */
export function sortClasses(rows: readonly ClassFigures[], key: ClassKey, descending: boolean): ClassFigures[] {
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
    return x === y ? a.label - b.label : sign * (x < y ? -1 : 1);
  });
}

const withError = (value: number, se: number, show: (v: number, digits: number) => string) =>
  Number.isNaN(value) ? '\u2014' : Number.isFinite(se) ? `${show(value, 4)} \u00b1 ${show(se, 2)}` : show(value, 4);

/** The per-class section, or nothing when the analysis has no table (more classes than it keeps). */
export function classTable(analysis: ClassificationAnalysis, unit: InformationUnit): HTMLElement | string {
  const byClass = analysis.byClass;
  if (!byClass || byClass.classes.length === 0) return '';
  const section = h('section', { class: 'classes', 'aria-label': 'By class' });
  let sort: { key: ClassKey; descending: boolean } = { key: 'label', descending: false };
  const fill = () => {
    const header = COLUMNS.map(({ key, label }) => {
      const sorted = sort.key === key;
      const button = h(
        'button',
        { type: 'button', class: 'sort', 'data-sort': key, title: `Sort by ${label(unit).toLowerCase()}` },
        label(unit),
        h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, sorted ? (sort.descending ? ' \u25bc' : ' \u25b2') : ''),
      );
      button.addEventListener('click', () => {
        sort = { key, descending: sorted ? !sort.descending : key !== 'label' };
        fill();
        section.querySelector<HTMLElement>(`button[data-sort="${key}"]`)?.focus();
      });
      return h(
        'th',
        { scope: 'col', 'aria-sort': sorted ? (sort.descending ? 'descending' : 'ascending') : 'none', class: key === 'label' ? undefined : 'num' },
        button,
      );
    });
    const inUnit = (value: number, digits: number) => formatNumber(convertNats(value, unit), digits);
    const percent = (value: number, digits: number) => `${formatNumber(100 * value, digits)}%`;
    const body = sortClasses(byClass.classes, sort.key, sort.descending).map((row) =>
      h(
        'tr',
        { 'data-class': row.label, 'data-testid': 'class-row' },
        h('td', {}, String(row.label)),
        h('td', { class: 'num' }, row.support.toLocaleString('en-US')),
        h('td', { class: 'num', 'data-value': String(row.crossEntropy) }, withError(row.crossEntropy, row.crossEntropyStdError, inUnit)),
        h('td', { class: 'num', 'data-value': String(row.accuracy) }, withError(row.accuracy, row.accuracyStdError, percent)),
        h('td', { class: 'num' }, row.predicted.toLocaleString('en-US')),
        h('td', { class: 'num', 'data-value': String(row.calibrationGap) }, Number.isNaN(row.calibrationGap) ? '\u2014' : formatNumber(row.calibrationGap, 4)),
      ),
    );
    section.replaceChildren(
      h('h2', {}, 'By class'),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'tensors class-table', 'data-testid': 'class-table' },
          h('caption', { class: 'visually-hidden' }, byClass.method),
          h('thead', {}, h('tr', {}, ...header)),
          h('tbody', {}, ...body),
        ),
      ),
      h('p', { class: 'note' }, `Standard errors: ${byClass.method}.`),
    );
  };
  fill();
  return section;
}
