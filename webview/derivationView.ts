import katex from 'katex';
import type { Derivation, DerivationStep, IdentityCheck } from '../src/protocol/webview';
import { actionButton, h } from './dom';
import { formatNumber } from './format';

/**
 * The equation's parts split at each "=" outside braces, \left...\right and environments, the
 * "=" kept at the start of the part it begins; one part when there is nothing to split at.
 */
export function splitAtEquals(latex: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < latex.length; i++) {
    const c = latex[i]!;
    if (c === '\\') {
      const command = /^\\(left|right|begin|end)\b/.exec(latex.slice(i))?.[1];
      if (command === 'left' || command === 'begin') depth++;
      else if (command === 'right' || command === 'end') depth--;
      i++; // an escaped character (\{, \=) is never structure
    } else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === '=' && depth === 0 && i > start && latex.slice(start, i).trim() !== '') {
      parts.push(latex.slice(start, i));
      start = i;
    }
  }
  parts.push(latex.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

/**
 * A step's equation at display size that breaks at "=" in a narrow panel: each part is set by
 * KaTeX on its own and the parts wrap like words. The whole equation is also there as MathML,
 * for screen readers and for its LaTeX source. A part that still does not fit scrolls.
 */
function equation(latex: string): HTMLElement {
  const parts = splitAtEquals(latex);
  const render = (tex: string, output: 'html' | 'mathml') => {
    const element = h('span', { class: output === 'html' ? 'equation-part' : 'equation-mathml' });
    katex.render(tex, element, { displayMode: true, throwOnError: false, strict: 'ignore', trust: false, output, maxSize: 10, maxExpand: 1000 });
    return element;
  };
  return h(
    'div',
    { class: 'math display equation-box' },
    render(latex, 'mathml'),
    h('span', { class: 'equation-parts', 'aria-hidden': 'true' }, ...parts.map((part) => render(part, 'html'))),
  );
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
    equation(step.latex),
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
