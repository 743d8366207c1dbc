/** The panel's controls. The only module that uses @vscode/webview-ui-toolkit. */
import { provideVSCodeDesignSystem, vsCodeCheckbox, vsCodeDropdown, vsCodeOption } from '@vscode/webview-ui-toolkit';
import {
  FIT_FAMILIES,
  TASKS,
  type ClassificationAnalysis,
  type FitFamily,
  type Task,
  type Analysis,
  type AnalysisOptions,
  type InformationUnit,
  type PredictionKind,
} from '../src/protocol/webview';
import { custom, h } from './dom';

provideVSCodeDesignSystem().register(vsCodeDropdown(), vsCodeOption(), vsCodeCheckbox());

const KIND_LABELS: Record<PredictionKind | 'auto', string> = {
  auto: 'detect',
  probs: 'probabilities',
  logits: 'logits',
  logprobs: 'log-probabilities',
};

interface Controls {
  readonly element: HTMLElement;
}

function dropdown(
  id: string,
  label: string,
  values: readonly string[],
  labels: (value: string) => string,
  selected: string,
  onChange: (value: string) => void,
): HTMLElement {
  const select = custom(
    'vscode-dropdown',
    { id, 'aria-label': label },
    ...values.map((value) => custom('vscode-option', { value, selected: value === selected }, labels(value))),
  );
  select.addEventListener('change', () => onChange((select as unknown as { value: string }).value));
  return h('div', { class: 'control' }, h('label', { for: id }, label), select);
}

// The formats whose roles are tensors, not columns.
const TENSOR_FORMATS = new Set(['npy', 'npz', 'safetensors', 'pt']);

/**
 * The line under the roles naming each column the detector left out of the predictions: only
 * names pick a table's predictions, so a column named otherwise is easy to miss.
 */
function leftOutLine(columns: readonly string[], target: string, predictions: readonly string[]): HTMLElement | '' {
  const leftOut = columns.filter((name) => name !== target && !predictions.includes(name));
  if (leftOut.length === 0) return '';
  const names = leftOut.map((name) => `'${name}'`).join(', ');
  const why = leftOut.length === 1 ? 'its name is not a prediction name' : 'their names are not prediction names';
  return h(
    'p',
    { class: 'left-out', 'data-testid': 'left-out' },
    `left out: ${names} (${why}); tick ${leftOut.length === 1 ? 'it' : 'them'} to include ${leftOut.length === 1 ? 'it' : 'them'}`,
  );
}

/** Where the half of a lone .npy it lacks was read: the labels beside logits.npy, or the predictions beside labels.npy. */
function partnerLine(analysis: ClassificationAnalysis, partner: string): string {
  const opened = analysis.file.name.replace(/\.npy$/i, '');
  return `${analysis.roles.target === opened ? 'predictions' : 'labels'} from ${partner}`;
}

/** Role pickers: the label column, the prediction columns and how to read them. */
export function roleControls(analysis: ClassificationAnalysis, options: AnalysisOptions, change: (options: AnalysisOptions) => void): Controls {
  const { roles } = analysis;
  const tensors = TENSOR_FORMATS.has(analysis.file.format);
  // The options win over the analysis's roles: after a failed choice they are what the user picked, and can be undone.
  const chosenTarget = options.target !== undefined && roles.columns.includes(options.target) ? options.target : roles.target;
  const chosen = options.predictions ?? roles.predictions;
  const target = dropdown(
    'target',
    tensors ? 'Label tensor' : 'Label column',
    roles.columns,
    (name) => name,
    chosenTarget,
    (value) => {
      change({ ...options, target: value, predictions: chosen.filter((name) => name !== value) });
    },
  );
  const predictions = h(
    'fieldset',
    { class: 'control predictions' },
    h('legend', {}, tensors ? 'Prediction tensors' : 'Prediction columns'),
    ...roles.columns
      .filter((name) => name !== chosenTarget)
      .map((name) => {
        const box = custom('vscode-checkbox', { checked: chosen.includes(name), 'data-column': name }, name);
        box.addEventListener('change', () => {
          const checked = (box as unknown as { checked: boolean }).checked;
          const next = checked ? [...chosen, name] : chosen.filter((other) => other !== name);
          // Keep the file's column order, whatever order they were ticked in.
          change({ ...options, target: chosenTarget, predictions: roles.columns.filter((column) => next.includes(column)) });
        });
        return box;
      }),
  );
  const kind = dropdown(
    'kind',
    'Predictions are',
    ['auto', 'probs', 'logits', 'logprobs'],
    (value) => KIND_LABELS[value as PredictionKind | 'auto'],
    options.kind ?? 'auto',
    (value) => {
      const { kind: _previous, ...rest } = options;
      change(value === 'auto' ? rest : { ...rest, kind: value as PredictionKind });
    },
  );
  // The tensors' roles come from names and shapes, and a picked set is the user's own: the line is for a table's detected columns.
  const leftOut = tensors || options.predictions !== undefined ? '' : leftOutLine(roles.columns, chosenTarget, chosen);
  const partner =
    typeof analysis.file.partner === 'string' ? h('p', { class: 'partner', 'data-testid': 'partner' }, partnerLine(analysis, analysis.file.partner)) : '';
  return { element: h('section', { class: 'controls', 'aria-label': 'Roles' }, target, kind, predictions, leftOut, partner) };
}

const UNIT_LABELS: Record<InformationUnit, string> = { nats: 'nats (ln)', bits: 'bits (log2)', digits: 'digits (log10)' };

/**
 * What to compute and how to show it: the task and, for a fit, the family (a new pass in the
 * host), and the unit of every loss (converted here, no new pass).
 */
export function taskControls(
  analysis: Analysis,
  options: AnalysisOptions,
  shown: { readonly unit: InformationUnit; readonly reduction: 'mean' | 'sum' },
  change: (options: AnalysisOptions) => void,
  changeView: (view: { unit?: InformationUnit; reduction?: 'mean' | 'sum' }) => void,
): Controls {
  const task = dropdown(
    'task',
    'Task',
    ['auto', ...TASKS],
    (value) => (value === 'auto' ? `detect (${analysis.task})` : value),
    options.task ?? 'auto',
    (value) => {
      const { task: _task, dist: _dist, ...rest } = options;
      change(value === 'auto' ? rest : { ...rest, task: value as Task });
    },
  );
  const dist =
    analysis.task === 'fit'
      ? dropdown(
          'dist',
          'Distribution',
          ['auto', ...FIT_FAMILIES],
          (value) => (value === 'auto' ? `detect (${analysis.summary.dist})` : value),
          options.dist ?? 'auto',
          (value) => {
            const { dist: _dist, ...rest } = options;
            change(value === 'auto' ? rest : { ...rest, task: 'fit', dist: value as FitFamily });
          },
        )
      : '';
  const units = dropdown(
    'unit',
    'Losses in',
    ['nats', 'bits', 'digits'],
    (value) => UNIT_LABELS[value as InformationUnit],
    shown.unit,
    (value) => changeView({ unit: value as InformationUnit }),
  );
  const reduction = dropdown(
    'reduction',
    analysis.task === 'lm' ? 'Tokens reduced by' : 'Rows reduced by',
    ['mean', 'sum'],
    (value) => value,
    shown.reduction,
    (value) => changeView({ reduction: value as 'mean' | 'sum' }),
  );
  return { element: h('section', { class: 'controls', 'aria-label': 'Task and unit' }, task, dist, units, reduction) };
}
