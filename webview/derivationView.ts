import katex from 'katex';
import type { Derivation, DerivationStep, IdentityCheck } from '../src/protocol/webview';
import { actionButton, h } from './dom';
import { formatNumber } from './format';

/** Renders one LaTeX string into a fresh element; a KaTeX error shows the source instead of breaking the panel. */
function math(latex: string, displayMode: boolean): HTMLElement {
  const element = h(displayMode ? 'div' : 'span', { class: displayMode ? 'math display' : 'math' });
  // Bounds on sizes and macro expansion: a derivation's LaTeX carries text from the file.
  katex.render(latex, element, { displayMode, throwOnError: false, strict: 'ignore', trust: false, output: 'htmlAndMathml', maxSize: 10, maxExpand: 1000 });
  return element;
}

function checkView(check: IdentityCheck): HTMLElement {
  return h(
    'p',
    {
      class: `check ${check.holds ? 'holds' : 'fails'}`,
      'data-testid': 'identity-check',
      'data-holds': String(check.holds),
      'data-residual': String(check.residual),
    },
    h('span', { class: 'mark', 'aria-hidden': 'true' }, check.holds ? '\u2713' : '\u2717'),
    ` ${check.label}: ${formatNumber(check.lhs, 12)} vs ${formatNumber(check.rhs, 12)}, relative residual ${check.residual === 0 ? '0' : check.residual.toExponential(1)}`,
    check.holds ? '' : ' (does not hold)',
  );
}

function stepView(step: DerivationStep, index: number, copy: (stepId: string) => void): HTMLElement {
  return h(
    'li',
    { class: 'step', id: `step-${step.id}`, 'data-testid': 'derivation-step', title: step.source ? `From ${step.source}` : undefined },
    h(
      'h3',
      {},
      `${index + 1}. ${step.title}`,
      step.tag ? h('span', { class: 'tag', title: 'Equation number in the derivation texts' }, `eq. ${step.tag}`) : null,
    ),
    math(step.latex, true),
    h('p', { class: 'note' }, step.note),
    step.check ? checkView(step.check) : null,
    step.restatement
      ? h(
          'p',
          { class: 'restatement', 'data-testid': 'restatement' },
          `Restatement of ${step.restatement}: the same number written another way, so not a check.`,
        )
      : null,
    h(
      'div',
      { class: 'step-actions' },
      actionButton('Copy LaTeX', `Copy step ${index + 1} as LaTeX`, () => copy(step.id), 'copy-step'),
    ),
  );
}

/** A derivation as a disclosure: open for the first, a click away for the rest. */
export function derivationView(derivation: Derivation, copy: (stepId: string) => void, open: boolean): HTMLElement {
  return h(
    'section',
    { class: 'derivation', 'aria-label': derivation.title },
    h(
      'details',
      { open },
      h('summary', {}, h('h2', {}, derivation.title)),
      h('ol', { class: 'steps' }, ...derivation.steps.map((step, index) => stepView(step, index, copy))),
    ),
  );
}
