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

/** Role pickers: the label column, the prediction columns and how to read them. */
export function roleControls(analysis: ClassificationAnalysis, options: AnalysisOptions, change: (options: AnalysisOptions) => void): Controls {
  const { roles } = analysis;
  // The options win over the analysis's roles: after a failed choice they are what the user picked, and can be undone.
  const chosenTarget = options.target !== undefined && roles.columns.includes(options.target) ? options.target : roles.target;
  const chosen = options.predictions ?? roles.predictions;
  const target = dropdown(
    'target',
    'Label column',
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
    h('legend', {}, 'Prediction columns'),
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
  return { element: h('section', { class: 'controls', 'aria-label': 'Roles' }, target, kind, predictions) };
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
